"""Participants: import from CSV files (upsert by email), look up, list, edit and remove."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Row,
    Select,
    Table,
    bindparam,
    delete,
    func,
    insert,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ..errors import InvalidRequest
from ..models import Invitation, Participant, Response
from .audit import Actor, record
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

# Addresses looked up per query: keeps each statement's text and IN list modest.
_CHUNK_SIZE = 500
# Rows per executemany: bounds the parameter lists held at once.
_WRITE_SIZE = 5000
_FIELDS = ("name", "organisation", "city", "country", "group", "language")

PARTICIPANTS: Table = Participant.__table__  # type: ignore[assignment]
# Attribute name → column key ("group" is stored in group_name).
_COLUMN_KEYS = {name: inspect(Participant).columns[name].key for name in ("email", *_FIELDS)}
_EMAIL = Participant.email
# The addresses are rendered into the SQL as escaped literals, not bound. Bound, every full
# chunk had the same text, so psycopg prepared it after five runs, and PostgreSQL kept the
# generic plan made while the table was empty (a scan comparing each row with 500 parameters)
# for the next import on that connection: 20 s for a re-import of 20,000 rows, not 0.3 s.
# Literals are planned each time, and PostgreSQL can hash the list.
_STORED = select(Participant.id, _EMAIL, *(getattr(Participant, name) for name in _FIELDS)).where(
    _EMAIL.in_(bindparam("emails", expanding=True, literal_execute=True))
)
_UPDATE_BY_ID = update(PARTICIPANTS).where(PARTICIPANTS.c.id == bindparam("participant_id"))


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


def import_participants(
    session: Session,
    data: bytes,
    group: str | None = None,
    *,
    file_name: str = "file",
    actor: Actor,
) -> ImportReport:
    """Create or update participants from a CSV file's bytes, matched by email.

    Empty cells never blank out what is stored; `group` replaces every row's group.
    Bad rows are reported and skipped; a fatal problem stores nothing. An import that
    stores anything is recorded in the audit log under `file_name`. Writes in the
    session's transaction, never commits.
    """
    group = _clean_group(group)
    parsed = read_participants_csv(data)
    report = ImportReport(
        problems=parsed.problems, warnings=parsed.warnings, total_rows=parsed.total_rows
    )
    if parsed.is_fatal:
        return report
    stored = _stored_by_email(session, [row.email for row in parsed.rows])
    new: list[dict[str, str]] = []
    changes: list[tuple[int, dict[str, str]]] = []
    for row in parsed.rows:
        values = _values_to_store(row, group)
        current = stored.get(row.email)
        if current is None:
            new.append({"email": row.email, **values})
        elif changed := {k: v for k, v in values.items() if getattr(current, k) != v}:
            changes.append((current.id, changed))
        else:
            report.unchanged += 1
    report.created, report.updated = len(new), len(changes)
    _insert(session, new)
    _update(session, changes)
    if report.created or report.updated or report.unchanged:
        detail = (
            f"{file_name}: {report.created} new, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.skipped} skipped"
        )
        record(session, "participants_imported", actor=actor, target="participants", detail=detail)
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


def _stored_by_email(session: Session, emails: list[str]) -> dict[str, Row[Any]]:
    """The stored values of the participants among `emails`, one query per chunk of them.

    Plain rows, not mapped objects: building 20,000 objects cost more than the import.
    """
    found: dict[str, Row[Any]] = {}
    for start in range(0, len(emails), _CHUNK_SIZE):
        chunk = emails[start : start + _CHUNK_SIZE]
        found.update((row.email, row) for row in session.execute(_STORED, {"emails": chunk}))
    return found


def _insert(session: Session, new: list[dict[str, str]]) -> None:
    """New participants in executemany INSERTs; an empty cell is stored as "" (no language)."""
    for start in range(0, len(new), _WRITE_SIZE):
        rows = [_row_of(values) for values in new[start : start + _WRITE_SIZE]]
        session.execute(insert(PARTICIPANTS), rows)


def _row_of(values: dict[str, str]) -> dict[str, str | None]:
    """Every column of a new participant (one key set, for executemany), by column key."""
    row: dict[str, str | None] = {key: values.get(name, "") for name, key in _COLUMN_KEYS.items()}
    row["language"] = values.get("language") or None
    return row


def _update(session: Session, changes: list[tuple[int, dict[str, str]]]) -> None:
    """Set only the changed values (as the ORM would), one executemany UPDATE per set of
    changed columns; updated_at is set by its onupdate. Loaded copies are expired."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for participant_id, changed in changes:
        params = {_COLUMN_KEYS[name]: value for name, value in changed.items()}
        by_columns[tuple(params)].append({"participant_id": participant_id, **params})
    for rows in by_columns.values():
        for start in range(0, len(rows), _WRITE_SIZE):
            session.execute(_UPDATE_BY_ID, rows[start : start + _WRITE_SIZE])
    for participant_id, _changed in changes:
        loaded = session.identity_map.get(identity_key(Participant, participant_id))
        if loaded is not None:
            session.expire(loaded)


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


def update_participant(
    session: Session, participant: Participant, values: ParticipantRow, *, actor: Actor
) -> list[str]:
    """Store edited values; returns the names of the fields that changed (audited by name,
    never by value).

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
    if changed:
        target, detail = f"participant {participant.id}", "changed " + ", ".join(changed)
        record(session, "participant_edited", actor=actor, target=target, detail=detail)
    return changed


def _cleaned(values: ParticipantRow) -> dict[str, Any]:
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


def remove_participant(session: Session, participant: Participant, *, actor: Actor) -> Removal:
    """Delete a participant with their invitations; the database cascades to their
    responses and answers. Returns what was deleted. Flushes, never commits."""
    removed = removal_summary(session, participant)
    target = f"participant {participant.id}"
    session.execute(delete(Invitation).where(Invitation.participant_id == participant.id))
    session.delete(participant)
    session.flush()
    detail = f"{removed.invitations} invitation(s), {removed.responses} response(s) deleted"
    record(session, "participant_removed", actor=actor, target=target, detail=detail)
    return removed
