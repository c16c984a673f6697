"""Which submitted responses of a round a dashboard looks at: by group, country, language or
the answer to one single- or multiple-choice question. Built as a SQL select of response ids,
so that a filtered summary streams like an unfiltered one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from ..definitions import Question, Survey
from ..definitions.schema import OTHER_VALUE
from ..models import Answer, Invitation, Participant, Response, Round
from .tidy import ResponseIds


@dataclass(frozen=True)
class Filters:
    """The chosen filters; an empty text means "any"."""

    group: str = ""
    country: str = ""
    language: str = ""
    question_id: str = ""
    value: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.group or self.country or self.language or self.question_id)

    @property
    def dimensions(self) -> int:
        """How many filters are chosen (an answer counts as one)."""
        return sum(bool(v) for v in (self.group, self.country, self.language, self.question_id))

    @property
    def answer(self) -> str:
        """The answer filter as the `q` parameter spells it: `question_id:value`."""
        return f"{self.question_id}:{self.value}" if self.question_id else ""


def choice_values(q: Question) -> list[str]:
    """The values a single- or multiple-choice answer can hold, in the definition's order."""
    return [str(o.value) for o in q.options] + ([OTHER_VALUE] if q.other else [])


def parse_filters(
    survey: Survey, is_anonymous: bool, args: Mapping[str, str], languages: list[str]
) -> Filters:
    """Filters from request arguments; unknown values are dropped, never guessed at.

    Group and country are never used in an anonymous round: a small group could name a person.
    """
    question_id, _, value = (args.get("q") or "").partition(":")
    choices = {q.id: q for q in survey.iter_questions() if q.kind.is_choice}
    if question_id not in choices or value not in choice_values(choices[question_id]):
        question_id, value = "", ""
    language = args.get("language", "")
    return Filters(
        group="" if is_anonymous else args.get("group", "").strip(),
        country="" if is_anonymous else args.get("country", "").strip(),
        language=language if language in languages else "",
        question_id=question_id,
        value=value,
    )


def matching_responses(round_: Round, filters: Filters) -> ResponseIds | None:
    """A select of the ids of the round's submitted responses that pass `filters`, or None
    when nothing is filtered."""
    if filters.is_empty:
        return None
    query = select(Response.id).where(
        Response.round_id == round_.id, Response.status == "submitted"
    )
    if filters.group or filters.country:
        query = query.join(Invitation, Invitation.id == Response.invitation_id).join(
            Participant, Participant.id == Invitation.participant_id
        )
        if filters.group:
            query = query.where(Participant.group == filters.group)
        if filters.country:
            query = query.where(Participant.country == filters.country)
    if filters.language:
        query = query.where(Response.language == filters.language)
    if filters.question_id:
        query = query.where(Response.id.in_(_answered(filters.question_id, filters.value)))
    return query


def _answered(question_id: str, value: str) -> ResponseIds:
    """Responses whose answer is `value` (single) or includes it (multiple choice).

    Answers are JSON written by SQLAlchemy's json.dumps, so its text form compares the same
    on SQLite and PostgreSQL: `"value"` alone, or as one item of a list.
    """
    text = cast(Answer.value, String)
    needle = json.dumps(value)
    return select(Answer.response_id).where(
        Answer.question_id == question_id, text.contains(needle, autoescape=True)
    )


def filter_choices(session: Session, round_: Round) -> dict[str, list[str]]:
    """The groups, countries and languages found among the round's responses and invitations.

    Empty lists for group and country in an anonymous round.
    """
    languages = session.scalars(
        select(Response.language)
        .where(Response.round_id == round_.id, Response.language.is_not(None))
        .distinct()
    )
    found: dict[str, list[str]] = {"language": sorted(str(x) for x in languages if x)}
    for name, column in (("group", Participant.group), ("country", Participant.country)):
        found[name] = [] if round_.is_anonymous else _distinct(session, round_, column)
    return found


def _distinct(session: Session, round_: Round, column: Any) -> list[str]:
    query = (
        select(column)
        .join(Invitation, Invitation.participant_id == Participant.id)
        .where(Invitation.round_id == round_.id)
        .distinct()
    )
    return sorted(str(x) for x in session.scalars(query) if x)
