"""Participants: import from CSV files (upsert by email), look up, list, edit and remove."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from ..errors import InvalidRequest
from ..models import Invitation, Participant, Response
from .csv_input import (
    MAX_LENGTHS,
    ParsedCsv,
    ParticipantRow,
    RowProblem,
    is_valid_email,
    normalise_email,
    read_participants_csv,
)
from .languages import known_languages, normalise_language

__all__ = [
    "EmailTaken",
    "ImportReport",
    "ParsedCsv",
    "ParticipantRow",
    "RowProblem",
    "get_participant_by_email",
    "import_participants",
    "known_languages",
    "list_groups",
    "list_participants",
    "participants_page",
    "read_participants_csv",
    "remove_participant",
    "update_participant",
]

# Well under every backend's limit on bound parameters (SQLite's used to be 999).
_CHUNK_SIZE = 500
_FIELDS = ("name", "organisation", "city", "country", "group", "language")


@dataclass
class ImportReport:
    """What an import did: counts of participants, and the file's problems and warnings."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    total_rows: int = 0

    @property
    def is_fatal(self) -> bool:
        """True when the file could not be imported at all."""
        return any(p.fatal for p in self.problems)

    @property
    def skipped(self) -> int:
        """Rows left out because of problems (a row may have several problems)."""
        return self.total_rows - self.created - self.updated - self.unchanged


def import_participants(session: Session, data: bytes, group: str | None = None) -> ImportReport:
    """Create or update participants from a CSV file's bytes, matched by email.

    Empty cells never blank out what is stored; `group` replaces every row's group.
    Bad rows are reported and skipped; a fatal problem stores nothing. Flushes, never commits.
    """
    group = _clean_group(group)
    parsed = read_participants_csv(data)
    report = ImportReport(
        problems=parsed.problems, warnings=parsed.warnings, total_rows=parsed.total_rows
    )
    if parsed.is_fatal:
        return report
    existing = _participants_by_email(session, (row.email for row in parsed.rows))
    for row in parsed.rows:
        values = _values_to_store(row, group)
        participant = existing.get(row.email)
        if participant is None:
            session.add(Participant(email=row.email, **values))
            report.created += 1
        elif _update(participant, values):
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    return report


def _clean_group(group: str | None) -> str | None:
    group = (group or "").strip()
    if len(group) > MAX_LENGTHS["group"]:
        raise InvalidRequest(f"A group name can be at most {MAX_LENGTHS['group']} characters.")
    return group or None


def _values_to_store(row: ParticipantRow, group: str | None) -> dict[str, str]:
    values = {name: value for name in _FIELDS if (value := getattr(row, name))}
    if group:
        values["group"] = group
    return values


def _update(participant: Participant, values: dict[str, str]) -> bool:
    """Set the values that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(participant, name) != value:
            setattr(participant, name, value)
            changed = True
    return changed


def _participants_by_email(session: Session, emails: Iterable[str]) -> dict[str, Participant]:
    """The stored participants among `emails`, in one query per chunk of addresses."""
    unique = sorted(set(emails))
    found: dict[str, Participant] = {}
    for start in range(0, len(unique), _CHUNK_SIZE):
        chunk = unique[start : start + _CHUNK_SIZE]
        query = select(Participant).where(Participant.email.in_(chunk))
        found.update((p.email, p) for p in session.scalars(query))
    return found


def get_participant_by_email(session: Session, email: str) -> Participant | None:
    """The participant with this email (any case, surrounding spaces ignored), or None."""
    query = select(Participant).where(Participant.email == normalise_email(email))
    return session.scalars(query).one_or_none()


def list_participants(
    session: Session, group: str | None = None, search: str | None = None
) -> list[Participant]:
    """Participants by name, optionally of one group and matching a search text.

    The search matches part of the email, name, organisation, city or country, ignoring case
    (for non-ASCII letters only on PostgreSQL: SQLite folds the case of ASCII alone).
    """
    return list(session.scalars(_participants_query(group, search)))


def _participants_query(group: str | None, search: str | None) -> Select[Participant]:
    query = select(Participant).order_by(Participant.name, Participant.email, Participant.id)
    if group is not None:
        query = query.where(Participant.group == group)
    if search and search.strip():
        text = search.strip()
        columns = (
            Participant.email,
            Participant.name,
            Participant.organisation,
            Participant.city,
            Participant.country,
        )
        query = query.where(or_(*(c.icontains(text, autoescape=True) for c in columns)))
    return query


@dataclass(frozen=True)
class ParticipantPage:
    """One page of a filtered participant list, and how many match in all."""

    items: list[Participant]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def participants_page(
    session: Session,
    group: str | None = None,
    search: str | None = None,
    page: int = 1,
    per_page: int = 200,
) -> ParticipantPage:
    """A page of `list_participants` (same filters and order), counted in the database."""
    query = _participants_query(group, search)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-(total or 0) // per_page))
    page = min(max(page, 1), pages)
    items = session.scalars(query.limit(per_page).offset((page - 1) * per_page))
    return ParticipantPage(list(items), total or 0, page, per_page)


def list_groups(session: Session) -> list[tuple[str, int]]:
    """Every participant group that has members, with its member count, by name."""
    query = (
        select(Participant.group, func.count())
        .where(Participant.group != "")
        .group_by(Participant.group)
        .order_by(Participant.group)
    )
    return [(group, count) for group, count in session.execute(query)]


class EmailTaken(InvalidRequest):
    """Another participant has this email address already."""


@dataclass(frozen=True)
class ParticipantValues:
    """A participant's editable fields, as a coordinator typed them (checked by the form)."""

    email: str
    name: str = ""
    organisation: str = ""
    city: str = ""
    country: str = ""
    group: str = ""
    language: str = ""


def update_participant(
    session: Session, participant: Participant, values: ParticipantValues
) -> list[str]:
    """Store edited values; returns the names of the fields that changed.

    The email is normalised and must stay unique (EmailTaken); the language is stored as its
    code, and an empty one as no language. Flushes, never commits.
    """
    cleaned = _cleaned(values)
    other = get_participant_by_email(session, cleaned["email"])
    if other is not None and other.id != participant.id:
        raise EmailTaken(f"another participant has the email address {cleaned['email']}")
    changed = [name for name, value in cleaned.items() if getattr(participant, name) != value]
    for name in changed:
        setattr(participant, name, cleaned[name])
    session.flush()
    return changed


def _cleaned(values: ParticipantValues) -> dict[str, Any]:
    """The values to store, or InvalidRequest naming the first one that cannot be stored."""
    cleaned: dict[str, Any] = {name: getattr(values, name).strip() for name in ("email", *_FIELDS)}
    cleaned["email"] = normalise_email(cleaned["email"])
    if not is_valid_email(cleaned["email"]):
        raise InvalidRequest(f"'{cleaned['email']}' is not a valid email address")
    for name, limit in MAX_LENGTHS.items():
        if len(cleaned[name]) > limit:
            raise InvalidRequest(f"the {name} can be at most {limit} characters")
    language = cleaned["language"]
    cleaned["language"] = normalise_language(language) if language else None
    if language and cleaned["language"] is None:
        raise InvalidRequest(f"'{language}' is not a known language")
    return cleaned


@dataclass(frozen=True)
class Removal:
    """What removing a participant deletes with them."""

    invitations: int
    responses: int


def removal_summary(session: Session, participant: Participant) -> Removal:
    """How many invitations and responses go when this participant is removed."""
    invitations = select(Invitation.id).where(Invitation.participant_id == participant.id)
    count_invitations = select(func.count()).select_from(invitations.subquery())
    count_responses = select(func.count(Response.id)).where(Response.invitation_id.in_(invitations))
    return Removal(session.scalar(count_invitations) or 0, session.scalar(count_responses) or 0)


def remove_participant(session: Session, participant: Participant) -> Removal:
    """Delete a participant with their invitations; the database cascades to their
    responses and answers. Returns what was deleted. Flushes, never commits."""
    removed = removal_summary(session, participant)
    session.execute(delete(Invitation).where(Invitation.participant_id == participant.id))
    session.delete(participant)
    session.flush()
    return removed
