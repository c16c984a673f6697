"""Data for the data-protection tests: a person to forget, someone who stays, and a search of
every text in every table of the database for what must be gone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

from surveyapp.models import (
    Answer,
    Invitation,
    MailBatch,
    MailMessage,
    Participant,
    Response,
    Round,
)
from surveyapp.services import audit, feedback

# Every value here is unique in the test data, so finding it anywhere means it survived.
AINO = {
    "email": "aino.virtanen@tampere.example",
    "name": "Aino Virtanen",
    "organisation": "Pirkanmaan hankintarengas",
    "city": "Ylöjärvi",
    "group": "aino-pilot-group",
    "language": "fi",
}
BRUNO = {"email": "bruno.keller@graz.example", "name": "Bruno Keller", "organisation": "Graz"}
PERSONAL = ("email", "name", "organisation", "city", "group")


@dataclass
class World:
    """Aino and Bruno both answered a named and an anonymous round; Aino has a draft in a
    second anonymous round, a failed mail and a failed login typed with her address."""

    aino: Participant
    bruno: Participant
    named: Round
    anonymous: Round
    later: Round


def build_world(
    session: Session,
    make_round: Callable[..., Round],
    make_participant: Callable[..., Participant],
    make_invitation: Callable[[Round, Participant], Invitation],
) -> World:
    aino, bruno = make_participant(**AINO), make_participant(**BRUNO)
    named = make_round(revision="0.3")
    anonymous = make_round(revision="0.4", is_anonymous=True)
    later = make_round(revision="0.5", is_anonymous=True)
    for round_ in (named, anonymous):
        for person in (aino, bruno):
            answer(session, make_invitation(round_, person), "submitted", f"unclear {round_.id}")
        feedback.sync_feedback(session, round_)
    answer(session, make_invitation(later, aino), "draft", "half-way")
    batch = MailBatch(round_id=named.id, kind="invitation")
    batch.messages.append(_mail(session, named, aino, failed=True))
    batch.messages.append(_mail(session, named, bruno))
    session.add(batch)
    nobody = audit.Actor.from_user(None, "192.0.2.1")
    audit.record(session, "login_failed", actor=nobody, target="Aino.Virtanen@Tampere.example")
    session.commit()
    return World(aino, bruno, named, anonymous, later)


def answer(session: Session, invitation: Invitation, status: str, text: str) -> Response:
    """A response through `invitation` with a scale, a free-text and a choice answer."""
    response = Response(round_id=invitation.round_id, invitation_id=invitation.id, status=status)
    session.add(response)
    session.flush()
    values = {"why_clarity": 2, "why_missing": text, "role": "officer"}
    session.add_all(
        Answer(response_id=response.id, question_id=q, value=v) for q, v in values.items()
    )
    session.commit()
    return response


def _mail(
    session: Session, round_: Round, person: Participant, failed: bool = False
) -> MailMessage:
    invitation = session.scalars(
        select(Invitation).where(
            Invitation.round_id == round_.id, Invitation.participant_id == person.id
        )
    ).one()
    error = f"refused by the mail server: 550 <{person.email}> unknown" if failed else ""
    status = "failed" if failed else "sent"
    return MailMessage(
        invitation_id=invitation.id, email=person.email, language="en", status=status, error=error
    )


def database_rows(session: Session) -> list[str]:
    """Every row of every table in the database (read from it, not from the models), as one
    line of text holding all of its values."""
    session.rollback()
    tables = MetaData()
    tables.reflect(bind=session.connection())
    lines = []
    for table in tables.sorted_tables:
        for row in session.execute(select(table)):
            lines.append(f"{table.name}: " + " | ".join(_text(v) for v in row))
    session.rollback()
    return lines


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def traces(session: Session, person: dict[str, str]) -> list[str]:
    """The rows in which any personal value of `person` still appears, in any case."""
    needles = [person[key].casefold() for key in PERSONAL if person.get(key)]
    return [line for line in database_rows(session) if any(n in line.casefold() for n in needles)]


def closed_days_ago(session: Session, round_: Round, days: float) -> None:
    """Close the round as if it had been closed `days` days ago."""
    round_.status = "closed"
    round_.closed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    session.commit()


def count(session: Session, query: Any) -> int:
    session.rollback()
    return len(session.execute(query).all())


def linked_responses(session: Session, round_: Round) -> list[tuple[int, str]]:
    """(response id, participant email) for every response of the round that leads to a
    person through its invitation."""
    session.rollback()
    query = (
        select(Response.id, Participant.email)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Participant, Participant.id == Invitation.participant_id)
        .where(Response.round_id == round_.id)
    )
    return [(rid, email) for rid, email in session.execute(query)]
