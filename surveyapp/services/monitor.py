"""Response monitoring for coordinators: counts and rates by round, group and country."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from ..models import Invitation, Participant, Response, Round

_SUBMITTED = case((Response.status == "submitted", 1), else_=0)
# Per invitation: its own record, or a response still tied to it. An anonymous round's
# response never is (services.anonymous); earlier rounds' invitations have no record.
_INVITATION_STARTED = or_(Invitation.started_at.is_not(None), Response.id.is_not(None))
_INVITATION_SUBMITTED = or_(Invitation.submitted_at.is_not(None), Response.status == "submitted")
# Spelled out, not ~_INVITATION_SUBMITTED: without a response its status is NULL, and so
# would the negation be.
_NOT_SUBMITTED = and_(
    Invitation.submitted_at.is_(None), or_(Response.id.is_(None), Response.status != "submitted")
)
_STARTED_COUNT = func.count(case((_INVITATION_STARTED, 1)))
_SUBMITTED_COUNT = func.coalesce(func.sum(case((_INVITATION_SUBMITTED, 1), else_=0)), 0)


@dataclass
class Figures:
    """Invited, started (a page saved) and submitted counts of personal links."""

    invited: int = 0
    started: int = 0
    submitted: int = 0

    @property
    def rate(self) -> float | None:
        """Submitted as a share of invited (0 to 1), or None when nobody is invited."""
        return self.submitted / self.invited if self.invited else None

    def add(self, invited: int, started: int, submitted: int) -> None:
        self.invited += invited
        self.started += started
        self.submitted += submitted

    def as_dict(self) -> dict[str, int]:
        return {"invited": self.invited, "started": self.started, "submitted": self.submitted}


@dataclass
class OpenLinkFigures:
    """Responses through a round's open link: nobody is invited, so there is no rate."""

    started: int = 0
    submitted: int = 0


@dataclass
class RoundMonitor:
    """A round's personal-link figures in total, by participant group and by country."""

    total: Figures = field(default_factory=Figures)
    by_group: list[tuple[str, Figures]] = field(default_factory=list)
    by_country: list[tuple[str, Figures]] = field(default_factory=list)
    open_link: OpenLinkFigures = field(default_factory=OpenLinkFigures)


@dataclass(frozen=True)
class NonRespondent:
    """An invited participant who has not submitted (yet)."""

    participant_id: int
    name: str
    email: str
    organisation: str
    group: str
    country: str
    language: str
    has_started: bool


def _invitation_join(*columns: Any) -> Select[*tuple[Any, ...]]:
    """Invitations with their participant and, if any, the response made through them."""
    return (
        select(*columns)
        .select_from(Invitation)
        .join(Participant, Participant.id == Invitation.participant_id)
        .outerjoin(
            Response,
            and_(Response.invitation_id == Invitation.id, Response.round_id == Invitation.round_id),
        )
    )


def round_monitor(session: Session, round_: Round) -> RoundMonitor:
    """Figures of one round in two grouped queries: invitations by group and country, and
    open-link responses. Only aggregates: safe to show for anonymous rounds too."""
    query = (
        _invitation_join(
            Participant.group,
            Participant.country,
            func.count(Invitation.id),
            _STARTED_COUNT,
            _SUBMITTED_COUNT,
        )
        .where(Invitation.round_id == round_.id)
        .group_by(Participant.group, Participant.country)
    )
    monitor = RoundMonitor()
    by_group: dict[str, Figures] = {}
    by_country: dict[str, Figures] = {}
    for group, country, invited, started, submitted in session.execute(query):
        monitor.total.add(invited, started, submitted)
        by_group.setdefault(group or "", Figures()).add(invited, started, submitted)
        by_country.setdefault(country or "", Figures()).add(invited, started, submitted)
    monitor.by_group = _sorted(by_group)
    monitor.by_country = _sorted(by_country)
    open_figures = open_link_figures(session, [round_.id])
    monitor.open_link = open_figures.get(round_.id, OpenLinkFigures())
    return monitor


def _sorted(figures: dict[str, Figures]) -> list[tuple[str, Figures]]:
    """By name, case-insensitively; the blank name ("none given") last."""
    return sorted(figures.items(), key=lambda item: (item[0] == "", item[0].casefold()))


def round_figures(session: Session, round_ids: Sequence[int]) -> dict[int, Figures]:
    """Personal-link figures of many rounds in one grouped query (for the rounds list)."""
    if not round_ids:
        return {}
    query = (
        _invitation_join(
            Invitation.round_id,
            func.count(Invitation.id),
            _STARTED_COUNT,
            _SUBMITTED_COUNT,
        )
        .where(Invitation.round_id.in_(list(round_ids)))
        .group_by(Invitation.round_id)
    )
    found = {round_id: Figures(*counts) for round_id, *counts in session.execute(query)}
    return {round_id: found.get(round_id, Figures()) for round_id in round_ids}


def open_link_figures(session: Session, round_ids: Sequence[int]) -> dict[int, OpenLinkFigures]:
    """Started and submitted open-link responses of many rounds, in one grouped query.

    An anonymous round's responses begun through invitations point at none either: the
    invitations' own started and submitted counts are taken off theirs. (A response
    submitted in another browser than the one that began it is not known to its invitation,
    so it is counted here.)
    """
    if not round_ids:
        return {}
    query = (
        select(
            Response.round_id,
            func.count(Response.id),
            func.coalesce(func.sum(_SUBMITTED), 0),
            _begun_through_invitations(Invitation.started_at),
            _begun_through_invitations(Invitation.submitted_at),
        )
        .where(Response.round_id.in_(list(round_ids)), Response.invitation_id.is_(None))
        .group_by(Response.round_id)
    )
    found: dict[int, OpenLinkFigures] = {}
    for round_id, started, submitted, by_invitation, submitted_by_invitation in session.execute(
        query
    ):
        started, submitted = started - by_invitation, submitted - submitted_by_invitation
        if started > 0 or submitted > 0:  # none when every response came by invitation
            found[round_id] = OpenLinkFigures(max(started, 0), max(submitted, 0))
    return found


def _begun_through_invitations(column: Any) -> Any:
    """How many of the response's round's invitations have `column` set, if it is
    anonymous (0 otherwise): a correlated subquery of the grouped open-link query."""
    return (
        select(func.count(column))
        .select_from(Invitation)
        .join(Round, Round.id == Invitation.round_id)
        .where(Invitation.round_id == Response.round_id, Round.is_anonymous)
        .correlate(Response)
        .scalar_subquery()
    )


def non_respondents(session: Session, round_: Round) -> list[NonRespondent]:
    """Invited participants of a round without a submitted response, by name."""
    query = (
        _invitation_join(Participant, _INVITATION_STARTED)
        .where(Invitation.round_id == round_.id, _NOT_SUBMITTED)
        .order_by(Participant.name, Participant.email)
    )
    return [_non_respondent(row) for row in session.execute(query)]


def _non_respondent(row: Row[*tuple[Any, ...]]) -> NonRespondent:
    person: Participant = row[0]
    return NonRespondent(
        participant_id=person.id,
        name=person.name,
        email=person.email,
        organisation=person.organisation,
        group=person.group,
        country=person.country,
        language=person.language or "",
        has_started=bool(row[1]),
    )
