"""Triage as a work queue: a round's feedback items filtered, sorted, counted and paged
(changing them: services.feedback_changes)."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from sqlalchemy import String, case, cast, func, null, select
from sqlalchemy.orm import Session

from ..models import (
    FEEDBACK_STATUSES,
    Answer,
    FeedbackItem,
    Invitation,
    Participant,
    Response,
    Round,
)
from .feedback import FeedbackRow, feedback_row, same_answer, text_questions
from .rounds import round_survey

PAGE_SIZE = 50
SORTS = ("chapter", "status", "date")
# QueueQuery's `assignee` values that are not an account's id.
ANYONE: Final = "anyone"
NOBODY: Final = "nobody"


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
    """The `query.page`-th page of `size` rows, in a stable order (ties broken by item id).

    Without a text search the database counts the matches and returns only the page's rows
    (LIMIT/OFFSET), so a page costs about the same in a round of 5,000 comments as in one
    of 50. The text search reads the matching items' texts here, not in SQL: answers are
    stored as JSON, whose text escapes the letters (ä, ö, å) people search for."""
    questions = text_questions(round_survey(round_))
    if query.chapter is not None:
        questions = {k: v for k, v in questions.items() if v[0].chapter == query.chapter}
    if not questions:
        return QueuePage([], 0, 1, 1)
    question_ids = list(questions)
    if query.search.strip():
        found = _searched(session, round_, question_ids, query)
        counts = Counter((status, qid) for _id, status, qid in found)
    else:
        found = None
        counts = Counter(_counts(session, round_, question_ids, query))
    total = sum(counts.values())
    pages = max(1, math.ceil(total / size))
    page = min(max(query.page, 1), pages)
    statement = _matching(round_, question_ids, query, *_row_columns(round_))
    if found is not None:
        wanted = [item_id for item_id, *_rest in found[(page - 1) * size : page * size]]
        by_id = {hit[0].id: hit for hit in session.execute(_by_ids(statement, wanted))}
        hits = [by_id[item_id] for item_id in wanted]
    elif (runs := _runs(question_ids, query, counts, round_.is_anonymous)) is not None:
        hits = _page_hits(session, statement, runs, page, size)
    else:
        ordered = statement.order_by(*_order(question_ids, query.sort, round_.is_anonymous))
        hits = list(session.execute(ordered.limit(size).offset((page - 1) * size)))
    rows = [
        dataclasses.replace(
            feedback_row(item, questions[item.question_id], value, language, group, lang),
            country=country,
        )
        for item, value, language, group, country in hits
    ]
    statuses: Counter[str] = Counter()
    chapters: Counter[str | None] = Counter()
    for (status, qid), n in counts.items():
        statuses[status] += n
        chapters[questions[qid][0].chapter] += n
    return QueuePage(rows, total, page, pages, dict(statuses), dict(chapters))


Run = tuple[str | None, str, int]  # (status or None for any, question id, how many items)


def _runs(
    question_ids: list[str], query: QueueQuery, counts: Counter[tuple[str, str]], anonymous: bool
) -> list[Run] | None:
    """The page order as runs of items that the index (round, question, status, id) reads
    in id order, with their lengths from the counts; None for the orders it cannot follow
    (the latest change first; an anonymous round's, by text)."""
    if query.sort == "status":
        return [(s, q, counts[(s, q)]) for s in FEEDBACK_STATUSES for q in question_ids]
    if query.sort == "chapter" and not anonymous:
        by_question = Counter[str]()
        for (_status, qid), n in counts.items():
            by_question[qid] += n
        return [(None, q, by_question[q]) for q in question_ids]
    return None


def _page_hits(
    session: Session, statement: Any, runs: list[Run], page: int, size: int
) -> list[Any]:
    """The page's rows read run by run: skipping whole runs by their counts, a page costs
    about the same whatever the round's size (the database sorts nothing)."""
    skip, hits = (page - 1) * size, list[Any]()
    for status, qid, length in runs:
        if skip >= length:
            skip -= length
            continue
        part = statement.where(FeedbackItem.question_id == qid)
        if status is not None:
            part = part.where(FeedbackItem.status == status)
        part = part.order_by(FeedbackItem.id).offset(skip).limit(size - len(hits))
        hits += session.execute(part)
        skip = 0
        if len(hits) >= size:
            break
    return hits


def _by_ids(statement: Any, item_ids: list[int]) -> Any:
    return statement.where(FeedbackItem.id.in_(item_ids or [-1]))


def _counts(
    session: Session, round_: Round, question_ids: list[str], query: QueueQuery
) -> dict[tuple[str, str], int]:
    """How many items match, by status and question, counted by the database."""
    by = (FeedbackItem.status, FeedbackItem.question_id)
    statement = _matching(round_, question_ids, query, *by, func.count(), rows=False)
    statement = statement.group_by(*by)
    return {(status, qid): n for status, qid, n in session.execute(statement)}


def _searched(
    session: Session, round_: Round, question_ids: list[str], query: QueueQuery
) -> list[tuple[int, str, str]]:
    """(id, status, question) of the items whose answer or note contains the search text,
    in the page order; only ids and texts are read, the page's rows are read by id."""
    needle = query.search.strip().casefold()
    columns = (FeedbackItem.id, FeedbackItem.status, FeedbackItem.question_id)
    texts = (Answer.value, FeedbackItem.note)
    statement = _matching(round_, question_ids, query, *columns, *texts).order_by(
        *_order(question_ids, query.sort, round_.is_anonymous)
    )
    return [
        (item_id, status, qid)
        for item_id, status, qid, value, note in session.execute(statement)
        if needle in _text(value).casefold() or needle in note.casefold()
    ]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _row_columns(round_: Round) -> tuple[Any, ...]:
    """An item with its answer and, in named rounds only, language, group and country."""
    anonymous = round_.is_anonymous
    return (
        FeedbackItem,
        Answer.value,
        null() if anonymous else Response.language,
        null() if anonymous else Participant.group,
        null() if anonymous else Participant.country,
    )


def _matching(
    round_: Round, question_ids: list[str], query: QueueQuery, *columns: Any, rows: bool = True
) -> Any:
    """`columns` of the round's items of `question_ids` that pass the query's filters.
    With rows=False only the tables the filters need are joined: counting reads the items'
    index alone (a join per item costs more than the count)."""
    by_language = not round_.is_anonymous and query.language is not None
    by_group = not round_.is_anonymous and query.group is not None
    statement = select(*columns).select_from(FeedbackItem)
    if rows or by_language or by_group:
        statement = statement.join(Response, Response.id == FeedbackItem.response_id)
    if rows:
        statement = statement.outerjoin(Answer, same_answer())
    if rows or by_group:
        statement = statement.outerjoin(
            Invitation, Invitation.id == Response.invitation_id
        ).outerjoin(Participant, Participant.id == Invitation.participant_id)
    statement = statement.where(
        FeedbackItem.round_id == round_.id, FeedbackItem.question_id.in_(question_ids)
    )
    if query.status is not None:
        statement = statement.where(FeedbackItem.status == query.status)
    if by_language:
        statement = statement.where(Response.language == query.language)
    if by_group:
        statement = statement.where(Participant.group == query.group)
    return _assignee_filter(statement, query)


def _order(question_ids: list[str], sort: str, anonymous: bool) -> list[Any]:
    """Survey order (which is chapter order), by status, or the latest change first.
    In an anonymous round survey order goes on by answer text: no order that could follow
    when people answered (the JSON text, so letters outside ASCII sort by their escape)."""
    in_survey = case({q: n for n, q in enumerate(question_ids)}, value=FeedbackItem.question_id)
    if sort == "date":
        return [FeedbackItem.updated_at.desc(), FeedbackItem.id.desc()]
    if sort == "status":
        by_status = case({s: n for n, s in enumerate(FEEDBACK_STATUSES)}, value=FeedbackItem.status)
        return [by_status, in_survey, FeedbackItem.id]
    if anonymous:
        return [in_survey, func.lower(cast(Answer.value, String)), FeedbackItem.id]
    return [in_survey, FeedbackItem.id]


def filter_values(session: Session, round_: Round) -> tuple[list[str], list[str]]:
    """The languages and groups to filter by (none in an anonymous round): the survey's
    languages, and the groups of the people invited (not read from the items: the page
    would then cost more as the round grows)."""
    if round_.is_anonymous:
        return [], []
    groups = (
        select(Participant.group)
        .join(Invitation, Invitation.participant_id == Participant.id)
        .where(Invitation.round_id == round_.id)
        .distinct()
    )
    languages = list(round_survey(round_).languages)
    return languages, sorted(v for v in session.scalars(groups) if v)


def page_of(session: Session, round_: Round, item_id: int, size: int = PAGE_SIZE) -> int | None:
    """The page of the unfiltered queue (in chapter order) that lists the round's item
    `item_id`; None if it lists no such item. Counted from the index, like a page."""
    item = session.get(FeedbackItem, item_id)
    question_ids = list(text_questions(round_survey(round_)))
    if item is None or item.round_id != round_.id or item.question_id not in question_ids:
        return None
    counts = _counts(session, round_, question_ids, QueueQuery())
    earlier = set(question_ids[: question_ids.index(item.question_id)])
    before = sum(n for (_status, qid), n in counts.items() if qid in earlier)
    same = select(func.count()).select_from(FeedbackItem)
    same = same.where(
        FeedbackItem.round_id == round_.id, FeedbackItem.question_id == item.question_id
    )
    if round_.is_anonymous:  # by text there, as the page orders it (_order)
        text = func.lower(cast(Answer.value, String))
        mine = session.scalar(
            select(text)
            .select_from(FeedbackItem)
            .join(Answer, same_answer())
            .where(FeedbackItem.id == item.id)
        )
        same = same.join(Answer, same_answer()).where(
            (text < mine) | ((text == mine) & (FeedbackItem.id < item.id))
        )
    else:
        same = same.where(FeedbackItem.id < item.id)
    return (before + (session.scalar(same) or 0)) // size + 1


def _assignee_filter(statement: Any, query: QueueQuery) -> Any:
    """`statement` (a select of FeedbackItem) narrowed to `query.assignee`'s items."""
    if query.assignee is None:
        return statement
    if query.assignee == ANYONE:
        return statement.where(FeedbackItem.assignee_id.is_not(None))
    if query.assignee == NOBODY:
        return statement.where(FeedbackItem.assignee_id.is_(None))
    return statement.where(FeedbackItem.assignee_id == query.assignee)
