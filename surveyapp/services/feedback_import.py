"""Triage from a spreadsheet: the Feedback sheet of a round's Excel summary, edited and read
back, first as a preview of what would change, then applied on confirmation.

A row is a change when its status, note or revision differs from the item's. A row nobody
edited (its values still give the stamp written at export) changes nothing, even when the
item was changed in the browser since. An edited row whose item has changed since the
export (its state no longer gives the row's stamp) is a conflict and never applied: the
sheet would overwrite someone's work. Applying runs the same check again, on locked rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import FeedbackItem, Round
from .audit import Actor, record
from .feedback import NOTE_MAX, REVISION_MAX
from .feedback_sheet import stamp, status_key
from .feedback_workbook import SheetRead, SheetRow

CHUNK = 500  # ids per query
# Problem kinds, in the order they are reported; the pages and the CLI word them.
PROBLEMS = (
    "no_id",
    "unknown_id",
    "repeated_id",
    "invalid_status",
    "note_too_long",
    "revision_too_long",
)


class State(NamedTuple):
    status: str
    note: str
    revision: str

    @classmethod
    def of(cls, item: FeedbackItem) -> State:
        return cls(item.status, item.note or "", item.addressed_in_revision or "")

    @property
    def stamp(self) -> str:
        return stamp(*self)


@dataclass(frozen=True)
class Change:
    """A row that changes its item: `old` is the item now, `new` the sheet's values."""

    row: int
    item_id: int
    old: State
    new: State


@dataclass(frozen=True)
class RowProblem:
    """A row that is not read: `kind` is one of PROBLEMS; `value` is the cell at fault."""

    row: int
    kind: str
    value: str = ""


@dataclass
class ImportPreview:
    """What a workbook would do to a round's items, by sheet row."""

    language: str = "en"
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Change] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    unchanged: int = 0

    @property
    def item_ids(self) -> list[int]:
        return sorted(change.item_id for change in self.changes)


def preview_import(
    session: Session, round_: Round, read: SheetRead, *, lock: bool = False
) -> ImportPreview:
    """What applying `read` would change; reads only (with `lock`, it locks the items)."""
    preview = ImportPreview(language=read.language)
    items = _items(session, round_, _ids(read.rows), lock=lock)
    seen: set[int] = set()
    for row in read.rows:
        item_id = _id(row.comment_id)
        problems = _id_problems(row, item_id, items, seen)
        if item_id is not None:
            seen.add(item_id)
        sheet, value_problems = _sheet_state(row, read.language)
        problems += value_problems
        if problems or item_id is None or sheet is None:
            preview.problems += problems
            continue
        _compare(preview, row, items[item_id], sheet)
    preview.problems.sort(key=lambda p: (p.row, PROBLEMS.index(p.kind)))
    return preview


def apply_import(
    session: Session, round_: Round, read: SheetRead, *, actor: Actor
) -> ImportPreview:
    """Apply the changes of `read`, checked again on locked rows: conflicts and problem rows
    are skipped, every change is written, and one audit event names the items changed.
    The caller commits (all or nothing)."""
    preview = preview_import(session, round_, read, lock=True)
    ids = [change.item_id for change in preview.changes]
    items = _items(session, round_, ids, lock=True)
    for change in preview.changes:
        item = items[change.item_id]
        item.status, item.note = change.new.status, change.new.note
        item.addressed_in_revision = change.new.revision or None
        if item.status != "duplicate":  # as on the triage page: only a duplicate links
            item.duplicate_of_id = None
        item.updated_by_id = actor.user_id
    session.flush()
    if preview.changes:
        listed = ", ".join(str(i) for i in preview.item_ids)
        detail = f"{len(ids)} items from a workbook: {listed}"
        if preview.conflicts:
            skipped = ", ".join(str(c.item_id) for c in preview.conflicts)
            detail += f"; conflicts skipped: {skipped}"
        target = f"round {round_.id}"
        record(session, "feedback_imported", actor=actor, target=target, detail=detail)
    return preview


def _compare(preview: ImportPreview, row: SheetRow, item: FeedbackItem, sheet: State) -> None:
    current = State.of(item)
    if sheet == current or sheet.stamp == row.stamp:
        preview.unchanged += 1  # as the item is, or as exported: nothing to write
    elif current.stamp != row.stamp:
        preview.conflicts.append(Change(row.row, item.id, current, sheet))
    else:
        preview.changes.append(Change(row.row, item.id, current, sheet))


def _id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 12 else None


def _ids(rows: Iterable[SheetRow]) -> list[int]:
    return sorted({i for i in (_id(row.comment_id) for row in rows) if i is not None})


def _items(
    session: Session, round_: Round, ids: list[int], *, lock: bool
) -> dict[int, FeedbackItem]:
    found: dict[int, FeedbackItem] = {}
    for start in range(0, len(ids), CHUNK):
        query = select(FeedbackItem).where(
            FeedbackItem.round_id == round_.id, FeedbackItem.id.in_(ids[start : start + CHUNK])
        )
        if lock:
            query = query.with_for_update()
        found.update((item.id, item) for item in session.scalars(query))
    return found


def _id_problems(
    row: SheetRow, item_id: int | None, items: dict[int, FeedbackItem], seen: set[int]
) -> list[RowProblem]:
    if not row.comment_id:
        return [RowProblem(row.row, "no_id")]
    if item_id is None or item_id not in items:
        return [RowProblem(row.row, "unknown_id", row.comment_id)]
    if item_id in seen:
        return [RowProblem(row.row, "repeated_id", row.comment_id)]
    return []


def _sheet_state(row: SheetRow, lang: str) -> tuple[State | None, list[RowProblem]]:
    """The row's values as an item state, or the problems that keep it from being one."""
    problems = []
    key = status_key(row.status, lang)
    if key is None:
        problems.append(RowProblem(row.row, "invalid_status", row.status))
    if len(row.note) > NOTE_MAX:
        problems.append(RowProblem(row.row, "note_too_long", str(len(row.note))))
    if len(row.revision) > REVISION_MAX:
        problems.append(RowProblem(row.row, "revision_too_long", row.revision[:60]))
    if key is None or problems:
        return None, problems
    return State(key, row.note, row.revision), []
