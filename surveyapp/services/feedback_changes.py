"""Changing triage items: a status, note, revision or assignee for many at once, and
marking duplicates; each change audited with who made it. Reading them: feedback_queue."""

from __future__ import annotations

import enum
from collections.abc import Collection
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidRequest
from ..models import FEEDBACK_STATUSES, FeedbackItem, Round, User
from .audit import Actor, record
from .feedback import NOTE_MAX, REVISION_MAX


class Keep(enum.Enum):
    """update_items' `assignee` that leaves each item's own."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


def update_items(
    session: Session,
    round_: Round,
    item_ids: Collection[int],
    *,
    status: str | None,
    note: str = "",
    addressed_in_revision: str = "",
    assignee: int | Keep | None = KEEP,
    actor: Actor,
) -> int:
    """Give the round's items `item_ids` a status (None: each keeps its own), an assignee
    (an active account's id, None for nobody, KEEP to leave it), and the note and revision
    if given (empty: left as they are). A status other than `duplicate` drops the link to
    the item repeated. All or none: an id of another round, none at all, an unknown
    account or nothing to change is refused. One audit event names every item and the
    change (the note never: it may quote the answers)."""
    note, revision = note.strip(), addressed_in_revision.strip()
    _check(status, note, revision)
    if status is None and assignee is KEEP and not note and not revision:
        raise InvalidRequest("nothing to change")
    items = _round_items(session, round_, item_ids)
    changes = [f"→ {status}"] if status is not None else []
    if assignee is not KEEP:
        changes.append(f"assigned to {_assignee_name(session, assignee)}")
    for item in items:
        if status is not None:
            item.status = status
            if status != "duplicate":
                item.duplicate_of_id = None
        if assignee is not KEEP:
            item.assignee_id = assignee
        item.note = note or item.note
        item.addressed_in_revision = revision or item.addressed_in_revision
        item.updated_by_id = actor.user_id
    session.flush()
    ids = ", ".join(str(item.id) for item in items)
    detail = f"{len(items)} items {', '.join(changes) or 'noted'}: {ids}"
    action = "feedback_status" if status is not None else "feedback_update"
    record(session, action, actor=actor, target=f"round {round_.id}", detail=detail)
    return len(items)


def mark_duplicates(
    session: Session,
    round_: Round,
    item_ids: Collection[int],
    original_id: int,
    *,
    actor: Actor,
) -> int:
    """Mark the round's items `item_ids` duplicates of its item `original_id` (status
    `duplicate` and a link). A link goes to an original, never to another duplicate: onto a
    duplicate it goes to that one's original, and items that repeated the ones marked now
    repeat the original too. All or none: an original of another round, an item that would
    repeat itself, or an id of another round is refused. Audited with the actor."""
    original = session.get(FeedbackItem, original_id)
    if original is None or original.round_id != round_.id:
        raise InvalidRequest(f"feedback item {original_id} not of round {round_.id}")
    seen = {original.id}
    while original.duplicate_of_id is not None:
        repeated = session.get(FeedbackItem, original.duplicate_of_id)
        if repeated is None or repeated.id in seen:
            break
        original = repeated
        seen.add(original.id)
    if original.id in set(item_ids):
        raise InvalidRequest(f"feedback item {original.id} cannot repeat itself")
    items = _round_items(session, round_, item_ids)
    marked = [item.id for item in items]
    followers = select(FeedbackItem).where(FeedbackItem.duplicate_of_id.in_(marked))
    for item in [*items, *session.scalars(followers)]:
        item.status = "duplicate"
        item.duplicate_of_id = original.id
        item.updated_by_id = actor.user_id
    session.flush()
    detail = f"{len(items)} items duplicate of {original.id}: {', '.join(map(str, marked))}"
    record(session, "feedback_duplicate", actor=actor, target=f"round {round_.id}", detail=detail)
    return len(items)


def _round_items(session: Session, round_: Round, item_ids: Collection[int]) -> list[FeedbackItem]:
    """The round's items `item_ids` by id; refused unless there are some and all are its."""
    wanted = set(item_ids)
    query = select(FeedbackItem).where(
        FeedbackItem.round_id == round_.id, FeedbackItem.id.in_(wanted)
    )
    items = list(session.scalars(query.order_by(FeedbackItem.id)))
    if not wanted or len(items) != len(wanted):
        raise InvalidRequest(f"feedback items not of round {round_.id}")
    return items


def _assignee_name(session: Session, assignee: int | None) -> str:
    """The email of the account items are given to ("nobody" for None); refused unless
    it is an active account."""
    if assignee is None:
        return "nobody"
    user = session.get(User, assignee)
    if user is None or not user.is_active:
        raise InvalidRequest(f"no active account {assignee}")
    return user.email


def _check(status: str | None, note: str, revision: str) -> None:
    if status is not None and status not in FEEDBACK_STATUSES:
        raise InvalidRequest(f"unknown feedback status: {status}")
    if len(note) > NOTE_MAX or len(revision) > REVISION_MAX:
        raise InvalidRequest("the note or the revision is too long")


def assignable_users(session: Session) -> list[User]:
    """The active accounts items can be given to, editors and coordinators, by email."""
    query = select(User).where(User.is_active.is_(True)).order_by(User.email)
    return list(session.scalars(query))


def user_emails(session: Session, user_ids: Collection[int | None]) -> dict[int, str]:
    """The email of each account of `user_ids` that still exists."""
    wanted = {i for i in user_ids if i is not None}
    if not wanted:
        return {}
    query = select(User.id, User.email).where(User.id.in_(wanted))
    return {user_id: email for user_id, email in session.execute(query)}
