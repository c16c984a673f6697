"""The workspace forms of peer reviews; labels and messages are lazy (the page's language)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..i18n import _, _l
from ..services.peer_reviews.actions import MAX_TITLE  # the one limit of an action's title
from .names import PRIORITY_NAMES

ROLES = (("peer", _l("Peer organisation")), ("host", _l("Host (under review)")))
DAYS = (("1", _l("Day 1")), ("2", _l("Day 2")))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _short(limit: int = 200) -> Length:
    return Length(max=limit, message=_l("At most %(max)d characters fit here."))


def _date(label: Any, required: bool = True) -> DateField:
    checks = [InputRequired(_l("Enter a date such as 2027-05-10."))] if required else [Optional()]
    return DateField(label, checks)


class _DaysForm(FlaskForm):  # type: ignore[misc]  # flask_wtf is untyped
    evaluation_start = _date(_l("First evaluation day"))
    evaluation_end = _date(_l("Last evaluation day"))

    def validate_evaluation_end(self, field: Any) -> None:
        start = self.evaluation_start.data
        if start and field.data and field.data < start:
            raise ValidationError(_("The last day cannot be before the first."))


class ReviewForm(_DaysForm):
    title = StringField(
        _l("Title"), [DataRequired(_l("Enter a title.")), _short()], filters=[_strip]
    )
    host_name = StringField(
        _l("Host organisation (under review)"),
        [DataRequired(_l("Enter the host organisation.")), _short()],
        filters=[_strip],
    )
    criteria_set = SelectField(_l("Criteria set"), [InputRequired(_l("Choose a criteria set."))])
    host_language = SelectField(_l("Host's language"), [InputRequired(_l("Choose a language."))])


class RerunForm(_DaysForm):
    criteria_set = SelectField(_l("Criteria set"), [InputRequired(_l("Choose a criteria set."))])


class PartyForm(FlaskForm):  # type: ignore[misc]
    role = SelectField(_l("Role"), choices=ROLES)
    name = StringField(
        _l("Organisation"), [DataRequired(_l("Enter the organisation.")), _short()], [_strip]
    )
    language = SelectField(_l("Language"), [InputRequired(_l("Choose a language."))])
    country = StringField(_l("Country (optional)"), [_short(100)], filters=[_strip])


class MemberForm(FlaskForm):  # type: ignore[misc]
    party = SelectField(_l("Organisation"), [InputRequired(_l("Choose an organisation."))])
    name = StringField(_l("Name"), [DataRequired(_l("Enter the name.")), _short()], [_strip])
    email = EmailField(
        _l("Email address"), [DataRequired(_l("Enter the email address.")), _short(254)], [_strip]
    )
    language = SelectField(_l("Language (optional: the organisation's by default)"))


class ActionForm(FlaskForm):  # type: ignore[misc]
    title = TextAreaField(
        _l("Action"), [DataRequired(_l("Describe the action.")), _short(MAX_TITLE)], [_strip]
    )
    criterion = SelectField(_l("Criterion (optional)"))
    owner = StringField(_l("Owner"), [_short()], filters=[_strip])
    due_on = _date(_l("Due date (optional)"), required=False)
    priority = SelectField(_l("Priority"), choices=list(PRIORITY_NAMES.items()), default="medium")


class AgendaItemForm(FlaskForm):  # type: ignore[misc]
    position = IntegerField(_l("Position"), [InputRequired(_l("Enter a position such as 1."))])
    day = SelectField(_l("Day"), choices=DAYS)
    questions = TextAreaField(_l("Questions"), [_short(10000)])
    interviewees = TextAreaField(_l("Interviewees"), [_short(5000)])
    # What the page showed: the item moves only when its position was changed, and a save
    # over someone else's newer edit is refused (agenda_views).
    seen_position = HiddenField()
    seen = HiddenField()
