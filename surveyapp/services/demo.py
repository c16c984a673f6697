"""A realistic demo: participants across Europe, rounds for revisions 0.3 and 0.4, answers."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import utcnow
from ..definitions import Question, Survey, visible_questions
from ..definitions.registry import SurveyRegistry
from ..models import Invitation, Participant, Response
from . import response_reads, response_writes, rounds, users
from .audit import Actor, record

DEMO_SURVEY = "manual-usability"

# name, email, organisation, city, country, language (all in the group "validation-group")
PEOPLE = [
    ("Aino Virtanen", "aino.virtanen@tampere.example", "City of Tampere", "Tampere", "FI", "fi"),
    ("Mikko Laine", "mikko.laine@espoo.example", "City of Espoo", "Espoo", "FI", "fi"),
    ("Sanna Korhonen", "sanna.korhonen@hel.example", "City of Helsinki", "Helsinki", "FI", "fi"),
    ("Elin Lindqvist", "elin.lindqvist@malmo.example", "Malmö stad", "Malmö", "SE", "sv"),
    ("Johan Berg", "johan.berg@goteborg.example", "Göteborgs Stad", "Göteborg", "SE", "sv"),
    ("Karin Ek", "karin.ek@vasa.example", "Vasa stad", "Vaasa", "FI", "sv"),
    ("Camille Martin", "camille.martin@nantes.example", "Nantes Métropole", "Nantes", "FR", "en"),
    ("Lucas Moreau", "lucas.moreau@lyon.example", "Métropole de Lyon", "Lyon", "FR", "en"),
    (
        "Anna Schmidt",
        "anna.schmidt@muenchen.example",
        "Landeshauptstadt München",
        "Munich",
        "DE",
        "en",
    ),
    (
        "Pieter de Vries",
        "pieter.devries@haarlem.example",
        "Gemeente Haarlem",
        "Haarlem",
        "NL",
        "en",
    ),
    ("Marta Nowak", "marta.nowak@gdansk.example", "Miasto Gdańsk", "Gdańsk", "PL", "en"),
    ("Giulia Rossi", "giulia.rossi@bologna.example", "Comune di Bologna", "Bologna", "IT", "en"),
    (
        "Laura García",
        "laura.garcia@barcelona.example",
        "Ajuntament de Barcelona",
        "Barcelona",
        "ES",
        "en",
    ),
    ("Ivo Horvat", "ivo.horvat@zagreb.example", "Grad Zagreb", "Zagreb", "HR", "en"),
]
TEXTS = [
    "More examples from smaller municipalities would help.",
    "The checklist on market dialogue was the most useful part.",
    "Lisää esimerkkejä pienistä kunnista.",
    "Tydligare koppling till upphandlingslagen behövs.",
    "The chapter is long; a one-page summary would help decision-makers.",
]


@dataclass
class DemoResult:
    participants: int = 0
    round_ids: list[int] = field(default_factory=list)
    submitted: int = 0
    drafts: int = 0
    try_links: list[tuple[str, str]] = field(default_factory=list)


def build_demo(
    session: Session, registry: SurveyRegistry, seed: int = 3, *, actor: Actor
) -> DemoResult:
    """Create the demo data; participants are upserted by email, rounds are new each time."""
    rng = random.Random(seed)
    result = DemoResult(participants=_upsert_people(session))
    for revision, share in (("0.3", 0.8), ("0.4", 0.4)):
        round_ = rounds.open_round(
            session, registry, DEMO_SURVEY, revision, groups=["validation-group"], actor=actor
        )
        result.round_ids.append(round_.id)
        survey = rounds.round_survey(round_)
        invites = list(session.scalars(select(Invitation).where(Invitation.round_id == round_.id)))
        for index, invitation in enumerate(invites):
            if index < 3:
                continue  # left unanswered, to try
            if rng.random() < share:
                _answer(session, survey, invitation, rng, submit=True)
                result.submitted += 1
            elif rng.random() < 0.5:
                _answer(session, survey, invitation, rng, submit=False)
                result.drafts += 1
    result.try_links = links_to_try(session)
    detail = (
        f"{result.participants} sample participants; rounds {result.round_ids} with "
        f"{result.submitted} submitted and {result.drafts} half-done responses"
    )
    record(session, "demo_added", actor=actor, target="demo data", detail=detail)
    return result


def _upsert_people(session: Session) -> int:
    for name, email, org, city, country, lang in PEOPLE:
        person = session.scalar(select(Participant).where(Participant.email == email))
        if person is None:
            person = Participant(email=email)
            session.add(person)
        person.name, person.organisation, person.city = name, org, city
        person.country, person.language, person.group = country, lang, "validation-group"
    session.flush()
    return len(PEOPLE)


def _answer(
    session: Session, survey: Survey, invitation: Invitation, rng: random.Random, *, submit: bool
) -> None:
    """A response as a respondent would leave it: in their language, with the invitation
    marked started (and submitted)."""
    preferred = invitation.participant.language
    language = preferred if preferred in survey.languages else survey.languages[0]
    response = Response(
        round_id=invitation.round_id, invitation_id=invitation.id, language=language
    )
    session.add(response)
    invitation.started_at = utcnow()
    session.flush()
    values: dict[str, Any] = {}
    sections = survey.sections if submit else survey.sections[: max(1, len(survey.sections) // 2)]
    for section in sections:
        for q in section.questions:
            shown = visible_questions(survey, response_reads.condition_values(values))
            if q.is_answerable and q.id in shown and (q.required or rng.random() < 0.8):
                values[q.id] = demo_value(q, rng)
        response_writes.write_answers(session, response, values, section_id=section.id)
    if submit:
        response_writes.submit_response(session, response, survey)
        invitation.submitted_at = utcnow()


def demo_value(q: Question, rng: random.Random) -> Any:
    """A plausible answer of the question's type."""
    return DEMO_ANSWERS[q.type](q, rng)


def _one_option(q: Question, rng: random.Random) -> Any:
    return rng.choice(q.options).value


def _some_options(q: Question, rng: random.Random) -> Any:
    low = max(q.min_choices or 1, 1)
    high = min(q.max_choices or len(q.options), len(q.options))
    return [o.value for o in rng.sample(list(q.options), rng.randint(low, max(low, high)))]


def _scale_point(q: Question, rng: random.Random) -> int:
    """Higher points more often, as satisfied respondents answer."""
    assert q.scale is not None
    values = q.scale.values
    return rng.choices(values, [1 + i for i in range(len(values))])[0]


def _point_per_row(q: Question, rng: random.Random) -> Any:
    return {str(r.value): _scale_point(q, rng) for r in q.rows}


def _rating(q: Question, rng: random.Random) -> Any:
    return rng.randint(int(q.min or 0) + 3, int(q.max or 10))


def _number(q: Question, rng: random.Random) -> Any:
    low, high = int(q.min or 0), int(q.max if q.max is not None else 100)
    return rng.randint(low, min(high, low + 30))


def _text(q: Question, rng: random.Random) -> Any:
    return rng.choice(TEXTS)[: q.max_length or 200]


def _nothing(q: Question, rng: random.Random) -> Any:
    return None  # never asked for: an info text has no answer


# A demo answer per question type (surveyapp/definitions/question_types.py).
DEMO_ANSWERS: dict[str, Callable[[Question, random.Random], Any]] = {
    "single": _one_option,
    "multi": _some_options,
    "likert": _scale_point,
    "rating": _rating,
    "matrix": _point_per_row,
    "text": _text,
    "number": _number,
    "info": _nothing,
}


DEMO_ACCOUNTS = (
    ("coordinator@demo.example", "coordinator"),
    ("editor@demo.example", "editor"),
)


def reset_demo_accounts(session: Session, *, actor: Actor) -> list[tuple[str, str, str]]:
    """Demo accounts with fresh random passwords, so every `make run` can print them."""
    accounts = []
    for email, role in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        if users.find_user(session, email) is None:
            users.add_user(session, email, role, password, actor=actor)
        else:
            users.set_password(session, email, password, actor=actor)
        accounts.append((email, role, password))
    return accounts


def links_to_try(session: Session, limit: int = 3) -> list[tuple[str, str]]:
    """Personal links of the newest round that nobody has submitted yet, one language each
    first (a Finnish, a Swedish and an English respondent), then by invitation order."""
    rows = session.execute(
        select(Participant.name, Participant.language, Invitation.token)
        .join(Invitation, Invitation.participant_id == Participant.id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.round_id == select(func.max(Invitation.round_id)).scalar_subquery())
        .where((Response.id.is_(None)) | (Response.status == "draft"))
        .order_by(Invitation.id)
    ).all()
    seen: set[str] = set()
    first_of_language = []
    for row in rows:
        if (row.language or "en") not in seen:
            seen.add(row.language or "en")
            first_of_language.append(row)
    chosen = (first_of_language + [r for r in rows if r not in first_of_language])[:limit]
    return [(f"{name} ({language or 'en'})", token) for name, language, token in chosen]
