"""The words for stored codes: a follow-up's status and an action's priority."""

from __future__ import annotations

from ..i18n import _l
from ..review_models import FOLLOW_UP_STATUSES, PRIORITIES

STATUS_NAMES = {
    "done": _l("Done"),
    "in_progress": _l("In progress"),
    "not_started": _l("Not started"),
    "dropped": _l("Dropped"),
}
PRIORITY_NAMES = {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}
assert set(STATUS_NAMES) == set(FOLLOW_UP_STATUSES) and set(PRIORITY_NAMES) == set(PRIORITIES)


def report_words() -> dict[str, object]:
    """What the report templates need to name codes."""
    return {"status_names": STATUS_NAMES, "priority_names": PRIORITY_NAMES}
