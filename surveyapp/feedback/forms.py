"""The triage form of one feedback item; labels are lazy, so they follow the page's language."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from ..i18n import _l
from ..models import FEEDBACK_STATUSES
from ..services.feedback import NOTE_MAX, REVISION_MAX

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
