"""The triage form of one feedback item; labels are lazy, so they follow the page's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Regexp

from ..i18n import _l
from ..models import FEEDBACK_STATUSES
from ..services.feedback import NOTE_MAX, REVISION_MAX
from ..services.feedback_queue import ANYONE, NOBODY, SORTS, QueueQuery

STATUS_NAMES = {
    "new": _l("new"),
    "accepted": _l("accepted"),
    "partly_accepted": _l("partly accepted"),
    "rejected": _l("rejected"),
    "duplicate": _l("duplicate"),
    "done": _l("done"),
}


def _strip(value: str | None) -> str:
    return (value or "").strip()


class FeedbackForm(FlaskForm):  # type: ignore[misc]  # flask_wtf is untyped
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s, STATUS_NAMES[s]) for s in FEEDBACK_STATUSES],
        validators=[InputRequired(_l("Choose a status."))],
    )
    note = TextAreaField(
        _l("Note"),
        filters=[_strip],
        validators=[Length(max=NOTE_MAX, message=_l("At most %(max)d characters fit here."))],
    )
    addressed_in_revision = StringField(
        _l("Addressed in revision"),
        filters=[_strip],
        validators=[Length(max=REVISION_MAX, message=_l("At most %(max)d characters fit here."))],
    )


class BulkForm(FeedbackForm):
    """A status and an assignee for every selected row, each "" to leave the rows' own; the
    note and revision only when filled in. The assignee is an account's id or "nobody"."""

    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("(leave as is)"))]
        + [SelectChoice(s, STATUS_NAMES[s]) for s in FEEDBACK_STATUSES],
    )
    assignee = StringField(
        _l("Assigned to"),
        filters=[_strip],
        validators=[Regexp(r"^(|nobody|\d{1,9})$", message=_l("Choose someone from the list."))],
    )
    item = SelectMultipleField(coerce=int, validate_choice=False)


class DuplicateForm(FlaskForm):  # type: ignore[misc]  # flask_wtf is untyped
    """A suggestion taken: "12-7" marks item 12 a duplicate of item 7."""

    pair = StringField(validators=[Regexp(r"^\d{1,9}-\d{1,9}$")])


def queue_query(args: Mapping[str, str], chapters: list[str], anonymous: bool) -> QueueQuery:
    """The triage page's query parameters, keeping only values that exist; group and
    language never in an anonymous round."""
    status, chapter, sort = args.get("status", ""), args.get("chapter", ""), args.get("sort", "")
    assigned = args.get("assigned", "")
    group = None if anonymous else args.get("group") or None
    language = None if anonymous else args.get("language") or None
    return QueueQuery(
        chapter=chapter if chapter in chapters else None,
        status=status if status in FEEDBACK_STATUSES else None,
        search=args.get("q", "").strip()[:200],
        sort=sort if sort in SORTS else "chapter",
        page=_number(args.get("page", "")),
        group=group,
        language=language,
        assignee=_assignee(assigned),
    )


def _assignee(value: str) -> int | Literal["anyone", "nobody"] | None:
    """ "anyone", "nobody" or an account's id; None (every item) for anything else."""
    if value == ANYONE:
        return ANYONE
    if value == NOBODY:
        return NOBODY
    return int(value) if value.isdigit() and len(value) < 10 else None


def query_args(query: QueueQuery) -> dict[str, str | int]:
    """The query as URL parameters, without the defaults: for redirects back to it."""
    values = {
        "status": query.status,
        "chapter": query.chapter,
        "group": query.group,
        "language": query.language,
        "assigned": query.assignee,
        "q": query.search,
        "sort": None if query.sort == "chapter" else query.sort,
        "page": None if query.page == 1 else query.page,
    }
    return {k: v for k, v in values.items() if v}


def _number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 7 else 1
