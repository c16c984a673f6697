"""A small fixed data set for the analysis and export tests, made through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import Invitation, Participant, Response, Round
from surveyapp.services import response_writes, rounds

SURVEYS = Path(__file__).parent / "data" / "surveys"
SURVEY_FILE = SURVEYS / "analysis-test.yaml"

# Three submitted responses and one draft; the numbers in the tests are worked out from these.
CURRENT: list[tuple[str, str, dict[str, Any]]] = [
    (
        "en",
        "g1",
        {
            "role": "officer",
            "years": 5,
            "why_clarity": 4,
            "why_tools": {"canvas": 5, "kraljic": 3},
            "why_comment": "Too long",
            "how_clarity": 2,
            "how_read": ["steps", "cases"],
            "usefulness": 8,
        },
    ),
    (
        "fi",
        "g1",
        {
            "role": "other",
            "role.other": "Lawyer",
            "years": 10,
            "why_clarity": None,
            "why_tools": {"canvas": 4},
            "how_clarity": 4,
            "how_read": ["steps"],
            "usefulness": 6,
        },
    ),
    (
        "en",
        "g2",
        {
            "role": "officer",
            "why_clarity": 2,
            "why_tools": {"canvas": 3, "kraljic": 5},
            "why_comment": "=1+1",
            "how_clarity": 5,
            "usefulness": 10,
        },
    ),
]
DRAFT = {"role": "manager", "why_clarity": 1, "why_comment": "not submitted"}
PREVIOUS: list[dict[str, Any]] = [
    {"why_clarity": 3, "why_tools": {"canvas": 2, "kraljic": 4}, "old_q": 1, "how_clarity": 3},
    {"why_tools": {"canvas": 2}, "old_q": 1, "how_clarity": 1},
]


def old_definition(directory: Path) -> SurveyRegistry:
    """The survey as it was a revision earlier: reworded, one question more, one less."""
    text = SURVEY_FILE.read_text(encoding="utf-8")
    text = text.replace("{en: The chapter is clear.,", "{en: The chapter is easy to follow.,")
    text = text.split("      - id: usefulness")[0]
    text = text.replace(
        "      - id: why_tools\n",
        "      - id: old_q\n        type: likert\n        scale: agree5\n"
        "        text: {en: Old question, fi: Vanha, sv: Gammal}\n      - id: why_tools\n",
    )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "analysis-test.yaml").write_text(text, encoding="utf-8")
    return SurveyRegistry(directory)


def person(session: Session, n: int, group: str = "g1", country: str = "FI") -> Participant:
    found = Participant(
        email=f"secret.person{n}@hidden.example",
        name=f"Secret Person{n}",
        organisation=f"Secret Organisation{n}",
        group=group,
        country=country,
    )
    session.add(found)
    session.flush()
    return found


def respond(
    session: Session,
    round_: Round,
    values: dict[str, Any],
    participant: Participant | None = None,
    language: str = "en",
    submit: bool = True,
) -> Response:
    """A response with these answers (through the invitation of `participant`, if given)."""
    invitation_id = None
    if participant is not None:
        rounds.invite_participants(session, round_, [participant.id], actor=SETUP)
        invitation_id = session.scalars(
            select(Invitation.id).where(
                Invitation.round_id == round_.id, Invitation.participant_id == participant.id
            )
        ).one()
    response = Response(round_id=round_.id, invitation_id=invitation_id, language=language)
    session.add(response)
    session.flush()
    response_writes.write_answers(session, response, values)
    if submit:
        response_writes.submit_response(session, response, rounds.round_survey(round_))
    return response


@dataclass
class Dataset:
    current: Round
    previous: Round
    responses: list[Response]


def build(session: Session, tmp_path: Path, anonymous: bool = False) -> Dataset:
    """Rounds 0.9 (old definition) and 0.10 of analysis-test, plus decoys that never match."""
    registry = SurveyRegistry(SURVEYS)
    previous = rounds.open_round(
        session, old_definition(tmp_path / "old"), "analysis-test", "0.9", actor=SETUP
    )
    for values in PREVIOUS:
        respond(session, previous, values)
    current = rounds.open_round(
        session, registry, "analysis-test", "0.10", is_anonymous=anonymous, actor=SETUP
    )
    made = []
    for n, (language, group, values) in enumerate(CURRENT, start=1):
        who = person(session, n, group, "SE" if n == 2 else "FI")
        made.append(respond(session, current, values, who, language))
    respond(session, current, DRAFT, person(session, 9), submit=False)
    rounds.open_round(session, registry, "analysis-test", "0.11", actor=SETUP)
    rounds.open_round(session, registry, "respond-test", "0.5", actor=SETUP)
    session.commit()
    return Dataset(current, previous, made)
