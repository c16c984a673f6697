"""Participants: import from CSV files (upsert by email), look up and list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..errors import InvalidRequest
from ..models import Participant
from .csv_input import (
    MAX_LENGTHS,
    ParsedCsv,
    ParticipantRow,
    RowProblem,
    normalise_email,
    read_participants_csv,
)
from .languages import known_languages

__all__ = [
    "ImportReport",
    "ParsedCsv",
    "ParticipantRow",
    "RowProblem",
    "get_participant_by_email",
    "import_participants",
    "known_languages",
    "list_participants",
    "read_participants_csv",
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
    query = select(Participant).order_by(Participant.name, Participant.email)
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
    return list(session.scalars(query))
