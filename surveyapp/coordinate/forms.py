"""The workspace's forms; labels and messages are lazy, so they follow the page's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from ..i18n import _, _l
from ..services.csv_input import MAX_LENGTHS, is_valid_email, normalise_email
from ..services.languages import country_code_mixup, normalise_language


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _too_long(limit: int) -> Length:
    return Length(max=limit, message=_l("At most %(max)d characters fit here."))


def _printable(_form: Any, field: Any) -> None:
    """No NUL or other control characters: PostgreSQL refuses NUL, and none belongs in a name."""
    if field.data and any(ord(c) < 32 or ord(c) == 127 for c in field.data):
        raise StopValidation(_("Remove the control characters (such as tabs) from this field."))


class UtcDateTimeField(DateTimeLocalField):  # type: ignore[misc]  # wtforms is untyped
    """A `datetime-local` input read as UTC, with a message that shows the expected form."""

    def __init__(self, label: Any, **kwargs: Any) -> None:
        super().__init__(label, validators=[Optional()], tz=dt.UTC, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Enter a date and time such as 2026-03-01 09:00.")) from None


class RoundForm(FlaskForm):  # type: ignore[misc]  # flask_wtf is untyped
    survey = SelectField(_l("Survey"), validators=[InputRequired(_l("Choose a survey."))])
    revision = StringField(
        _l("Manual revision"),
        validators=[
            DataRequired(_l("Enter the manual revision, e.g. 0.3.")),
            _too_long(50),
            _printable,
        ],
        filters=[_strip],
    )
    opens_at = UtcDateTimeField(_l("Opening time (UTC, optional)"))
    closes_at = UtcDateTimeField(_l("Closing time (UTC, optional)"))
    is_anonymous = BooleanField(_l("Anonymous: no page, export or log ties an answer to a person"))
    open_link = BooleanField(_l("Also create an open link that anyone can answer through"))
    groups = SelectMultipleField(_l("Groups to invite"), choices=[])

    def validate_closes_at(self, field: Any) -> None:
        opens, closes = self.opens_at.data, field.data
        if opens is not None and closes is not None and closes <= opens:
            raise ValidationError(_("The closing time must be after the opening time."))


class InviteForm(FlaskForm):  # type: ignore[misc]
    groups = SelectMultipleField(
        _l("Groups to invite"),
        choices=[],
        validators=[InputRequired(_l("Choose at least one group."))],
    )


def _valid_email(_form: Any, field: Any) -> None:
    if field.data and not is_valid_email(normalise_email(field.data)):
        raise ValidationError(_("Enter an email address such as name@city.example."))


def _known_language(_form: Any, field: Any) -> None:
    if not field.data:
        return
    if suggestion := country_code_mixup(field.data):
        message = _("'%(value)s' is a country code; the language is '%(suggestion)s'.")
        raise ValidationError(message % {"value": field.data, "suggestion": suggestion})
    if normalise_language(field.data) is None:
        message = _("'%(value)s' is not a known language; use a code such as en, fi or sv.")
        raise ValidationError(message % {"value": field.data})


class ParticipantForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Name"), [_too_long(MAX_LENGTHS["name"]), _printable], filters=[_strip])
    email = EmailField(
        _l("Email address"),
        [DataRequired(_l("Enter the email address.")), _too_long(254), _printable, _valid_email],
        filters=[_strip],
    )
    organisation = StringField(
        _l("Organisation"), [_too_long(MAX_LENGTHS["organisation"]), _printable], filters=[_strip]
    )
    city = StringField(_l("City"), [_too_long(MAX_LENGTHS["city"]), _printable], filters=[_strip])
    country = StringField(
        _l("Country"), [_too_long(MAX_LENGTHS["country"]), _printable], filters=[_strip]
    )
    group = StringField(
        _l("Group"), [_too_long(MAX_LENGTHS["group"]), _printable], filters=[_strip]
    )
    language = StringField(
        _l("Preferred language"), [_too_long(40), _printable, _known_language], filters=[_strip]
    )


class ImportForm(FlaskForm):  # type: ignore[misc]
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to import."))])
    group = StringField(
        _l("Put everyone in this group (optional)"),
        [_too_long(MAX_LENGTHS["group"]), _printable],
        filters=[_strip],
    )
