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
NO_ANSWER = _l("No answer yet")  # a follow-up the host has not answered (status None)
PRIORITY_NAMES = {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}
assert set(STATUS_NAMES) == set(FOLLOW_UP_STATUSES) and set(PRIORITY_NAMES) == set(PRIORITIES)


def status_name(status: str | None) -> str:
    """A follow-up's status in words; "No answer yet" until the host says."""
    return str(NO_ANSWER if status is None else STATUS_NAMES.get(status, status))


def report_words() -> dict[str, object]:
    """What the report templates need to name codes."""
    return {
        "status_names": STATUS_NAMES,
        "status_name": status_name,
        "priority_names": PRIORITY_NAMES,
    }
