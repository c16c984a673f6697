"""Personal links of a round, for mail merge."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Invitation, Participant, Round
from .rounds import round_survey


@dataclass(frozen=True)
class LinkRow:
    name: str
    email: str
    language: str
    link: str


def personal_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}"


def open_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/o/{token}"


def links_for_round(session: Session, round_: Round, base_url: str) -> list[LinkRow]:
    """One row per invited participant, in the language the survey will greet them in."""
    survey = round_survey(round_)
    rows = session.execute(
        select(Participant, Invitation.token)
        .join(Invitation, Invitation.participant_id == Participant.id)
        .where(Invitation.round_id == round_.id)
        .order_by(Participant.name, Participant.email)
    ).all()
    return [
        LinkRow(
            name=p.name,
            email=p.email,
            language=p.language if p.language in survey.languages else survey.default_language,
            link=personal_link(base_url, token),
        )
        for p, token in rows
    ]
