"""Triage as a work queue: a round's feedback items filtered, sorted, counted and paged,
and a page of them changed at once."""

from __future__ import annotations

import dataclasses
import enum
import math
import sys
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from sqlalchemy import case, null, select
from sqlalchemy.orm import Session

from ..errors import InvalidRequest
from ..models import (
    FEEDBACK_STATUSES,
    Answer,
    FeedbackItem,
    Invitation,
    Participant,
    Response,
    Round,
    User,
)
from .audit import Actor, record
from .feedback import NOTE_MAX, REVISION_MAX, FeedbackRow, feedback_row, same_answer, text_questions
from .rounds import round_survey

PAGE_SIZE = 50
SORTS = ("chapter", "status", "date")
# QueueQuery's `assignee` values that are not an account's id.
ANYONE, NOBODY = "anyone", "nobody"


class Keep(enum.Enum):
    """update_items' `assignee` that leaves each item's own."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


@dataclass(frozen=True)
class QueueQuery:
    """What the triage page asks for; `group` and `language` are ignored in anonymous rounds."""

    chapter: str | None = None
    status: str | None = None
    language: str | None = None
    group: str | None = None
    search: str = ""
    sort: str = "chapter"
    page: int = 1
    # Items of this account's id, of anyone, of nobody; every item when None.
    assignee: int | Literal["anyone", "nobody"] | None = None


@dataclass
class QueuePage:
    """One page of matching rows, with the counts of every match by status and chapter."""

    rows: list[FeedbackRow]
    total: int
    page: int
    pages: int
    by_status: dict[str, int] = field(default_factory=dict)
    by_chapter: dict[str | None, int] = field(default_factory=dict)


def items_page(
    session: Session, round_: Round, query: QueueQuery, lang: str = "en", size: int = PAGE_SIZE
) -> QueuePage:
    """The `query.page`-th page of `size` rows (offset paging, in a stable order: ties are
    broken by item id). The text search runs here, not in SQL: answers are stored as JSON,
    whose text escapes the letters (ä, ö, å) people search for."""
    questions = text_questions(round_survey(round_))
    if query.chapter is not None:
        questions = {k: v for k, v in questions.items() if v[0].chapter == query.chapter}
    needle = query.search.strip().casefold()
    statement = _statement(round_, list(questions), query) if questions else None
    found = [
        hit
        for hit in (session.execute(statement) if statement is not None else [])
        if not needle or needle in _text(hit[1]).casefold() or needle in hit[0].note.casefold()
    ]
    if round_.is_anonymous and query.sort == "chapter":
        # Within a question, by text: no order that could follow when people answered.
        order = {qid: n for n, qid in enumerate(questions)}
        found.sort(key=lambda hit: (order[hit[0].question_id], _text(hit[1]).casefold()))
    pages = max(1, math.ceil(len(found) / size))
    page = min(max(query.page, 1), pages)
    rows = [
        dataclasses.replace(
            feedback_row(item, questions[item.question_id], value, language, group, lang),
            country=country,
        )
        for item, value, language, group, country in found[(page - 1) * size : page * size]
    ]
    statuses = Counter(item.status for item, *_rest in found)
    chapters = Counter(questions[item.question_id][0].chapter for item, *_rest in found)
    return QueuePage(rows, len(found), page, pages, dict(statuses), dict(chapters))


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _statement(round_: Round, question_ids: list[str], query: QueueQuery) -> Any:
    """Items with their answer and, in named rounds only, language, group and country."""
    anonymous = round_.is_anonymous
    language: Any = null() if anonymous else Response.language
    group: Any = null() if anonymous else Participant.group
    country: Any = null() if anonymous else Participant.country
    statement = (
        select(FeedbackItem, Answer.value, language, group, country)
        .join(Response, Response.id == FeedbackItem.response_id)
        .outerjoin(Answer, same_answer())
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Participant, Participant.id == Invitation.participant_id)
        .where(FeedbackItem.round_id == round_.id, FeedbackItem.question_id.in_(question_ids))
        .order_by(*_order(question_ids, query.sort))
    )
    if query.status is not None:
        statement = statement.where(FeedbackItem.status == query.status)
    if not anonymous and query.language is not None:
        statement = statement.where(Response.language == query.language)
    if not anonymous and query.group is not None:
        statement = statement.where(Participant.group == query.group)
    return statement


def _order(question_ids: list[str], sort: str) -> list[Any]:
    """Survey order (which is chapter order), by status, or the latest change first."""
    in_survey = case({q: n for n, q in enumerate(question_ids)}, value=FeedbackItem.question_id)
    if sort == "date":
        return [FeedbackItem.updated_at.desc(), FeedbackItem.id.desc()]
    if sort == "status":
        by_status = case({s: n for n, s in enumerate(FEEDBACK_STATUSES)}, value=FeedbackItem.status)
        return [by_status, in_survey, FeedbackItem.id]
    return [in_survey, FeedbackItem.id]


def filter_values(session: Session, round_: Round) -> tuple[list[str], list[str]]:
    """The languages and groups the round's items have (none in an anonymous round)."""
    if round_.is_anonymous:
        return [], []
    responses = select(FeedbackItem.response_id).where(FeedbackItem.round_id == round_.id)
    languages = select(Response.language).where(Response.id.in_(responses)).distinct()
    groups = (
        select(Participant.group)
        .join(Invitation, Invitation.participant_id == Participant.id)
        .join(Response, Response.invitation_id == Invitation.id)
        .where(Response.id.in_(responses))
        .distinct()
    )
    return (
        sorted(v for v in session.scalars(languages) if v),
        sorted(v for v in session.scalars(groups) if v),
    )


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


def page_of(session: Session, round_: Round, item_id: int, size: int = PAGE_SIZE) -> int | None:
    """The page of the unfiltered queue (in chapter order) that lists the round's item
    `item_id`; None if it lists no such item. Reads the whole queue, as a page does."""
    everything = items_page(session, round_, QueueQuery(), size=sys.maxsize)
    ids = [row.id for row in everything.rows]
    return ids.index(item_id) // size + 1 if item_id in ids else None


def _assignee_filter(statement: Any, query: QueueQuery) -> Any:
    """`statement` (a select of FeedbackItem) narrowed to `query.assignee`'s items.

    For `_statement` to call; items_page does not apply it yet, so the triage page offers
    no such filter."""
    if query.assignee is None:
        return statement
    if query.assignee == ANYONE:
        return statement.where(FeedbackItem.assignee_id.is_not(None))
    if query.assignee == NOBODY:
        return statement.where(FeedbackItem.assignee_id.is_(None))
    return statement.where(FeedbackItem.assignee_id == query.assignee)


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
