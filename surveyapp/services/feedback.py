"""Feedback triage: every free-text answer as an item editors mark for the next revision."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    bindparam,
    cast,
    func,
    insert,
    null,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..definitions.manual import Manual
from ..definitions.schema import Question, Section, Survey, localize
from ..errors import InvalidRequest
from ..models import (
    FEEDBACK_STATUSES,
    Answer,
    FeedbackItem,
    Invitation,
    Participant,
    Response,
    Round,
)
from .audit import Actor, record
from .rounds import previous_revision_round, round_survey

NOTE_MAX = 5000
REVISION_MAX = 50


@dataclass(frozen=True)
class FeedbackRow:
    """One item as the triage page and the reports show it."""

    id: int
    chapter: str | None
    section: str
    question_id: str
    question: str
    answer: str
    language: str | None
    group: str | None  # always None in anonymous rounds
    status: str
    note: str
    revision: str | None
    country: str | None = None  # the triage queue's only; always None in anonymous rounds
    topic: str | None = None  # the question's topic of the manual's chapter
    assignee_id: int | None = None
    duplicate_of: int | None = None  # the id of the item this one repeats


@dataclass
class YouSaidWeDid:
    """What was done with the feedback of `round` (the previous revision's round), by chapter."""

    round: Round
    chapters: list[tuple[str | None, list[FeedbackRow]]] = field(default_factory=list)


def text_questions(survey: Survey) -> dict[str, tuple[Section, Question]]:
    """The survey's free-text questions by id, in survey order, with their section."""
    return {q.id: (s, q) for s in survey.sections for q in s.questions if q.kind.is_free_text}


def sync_feedback(session: Session, round_: Round) -> int:
    """Add a `new` item for every non-empty free-text answer of a submitted response whose
    comments are pending, then clear their flag; returns how many were added. Running it
    again adds nothing."""
    question_ids = list(text_questions(round_survey(round_)))
    pending = session.execute(
        _pending(round_).with_only_columns(Response.id, Response.submission_count)
    ).all()
    query = _missing_items(question_ids).where(Response.id.in_(_pending(round_)))
    # Item ids are shown; in response order they would follow the order people began.
    added = _add_items(session, query, shuffle=round_.is_anonymous)
    if pending:
        # A response submitted again meanwhile (its count moved on) stays pending.
        done = update(Response).where(
            Response.id == bindparam("rid"), Response.submission_count == bindparam("count")
        )
        session.connection().execute(
            done.values(comments_pending=False, revision=Response.revision + 1),
            [{"rid": rid, "count": count} for rid, count in pending],
        )
    return added


def _pending(round_: Round) -> Any:
    return select(Response.id).where(
        Response.round_id == round_.id,
        Response.comments_pending.is_(True),
        Response.status == "submitted",
    )


def add_response_items(session: Session, response_id: int, survey: Survey) -> int:
    """At a respondent's submit: items for the response's non-empty free-text answers that
    have none (a resubmission adds only new ones), so that no page has to add them later.

    Not in an anonymous round: item ids are shown, and added one submit at a time they would
    follow the order people submitted. Its items come in shuffled batches (bring_in_comments).
    """
    query = (
        _missing_items(list(text_questions(survey)))
        .join(Round, Round.id == Response.round_id)
        .where(Response.id == response_id, Round.is_anonymous.is_(False))
    )
    return _add_items(session, query, shuffle=False)


def bring_in_comments(session: Session, round_: Round, *, actor: Actor) -> int:
    """Items for the answers that have none: an anonymous round's, in a shuffled batch, and
    those submitted before submitting added items (older rounds). Audited."""
    added = sync_feedback(session, round_)
    if added:
        detail = f"{added} feedback items added"
        record(
            session, "feedback_brought_in", actor=actor, target=f"round {round_.id}", detail=detail
        )
    return added


def comments_waiting(session: Session, round_: Round) -> int:
    """How many submitted comments of the round have no item yet (bring_in_comments adds
    them): all of an anonymous round's new ones, and those of older versions' rounds."""
    question_ids = list(text_questions(round_survey(round_)))
    missing = _missing_items(question_ids).where(
        Response.round_id == round_.id, Response.comments_pending.is_(True)
    )
    # Counted by the database: the triage page asks on every view. Text answers are stored
    # stripped (forms.dynamic), so any stored text but "" is a comment.
    text = cast(Answer.value, String)
    query = missing.where(Answer.value.is_not(None), text != '""').with_only_columns(func.count())
    return session.scalar(query) or 0


def _is_comment(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _missing_items(question_ids: list[str]) -> Any:
    """The submitted free-text answers of `question_ids` that have no item yet."""
    existing = and_(
        FeedbackItem.response_id == Answer.response_id,
        FeedbackItem.question_id == Answer.question_id,
    )
    return (
        select(Response.round_id, Answer.response_id, Answer.question_id, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(FeedbackItem, existing)
        .where(
            Response.status == "submitted",
            Answer.question_id.in_(question_ids),
            FeedbackItem.id.is_(None),
        )
    )


def _add_items(session: Session, query: Any, *, shuffle: bool) -> int:
    new = [
        {"round_id": round_id, "response_id": rid, "question_id": qid, "status": "new"}
        for round_id, rid, qid, value in session.execute(query)
        if _is_comment(value)
    ]
    if shuffle:
        secrets.SystemRandom().shuffle(new)
    if new:
        session.execute(_insert_skipping_existing(session), new)
    session.flush()
    return len(new)


def _insert_skipping_existing(session: Session) -> Any:
    """An insert that skips items another editor's page added since we looked."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}.get(session.get_bind().dialect.name)
    if dialect is None:
        return insert(FeedbackItem)
    keys = ["response_id", "question_id"]
    return dialect.insert(FeedbackItem).on_conflict_do_nothing(index_elements=keys)


def update_item(
    session: Session,
    item: FeedbackItem,
    status: str,
    note: str,
    addressed_in_revision: str | None,
    *,
    actor: Actor,
) -> FeedbackItem:
    """Mark an item: its status, the editors' note and the revision that addresses it.

    A change of status is audited (the note never: it may quote the answer)."""
    if status not in FEEDBACK_STATUSES:
        raise InvalidRequest(f"unknown feedback status: {status}")
    revision = (addressed_in_revision or "").strip() or None
    if len(note) > NOTE_MAX or (revision is not None and len(revision) > REVISION_MAX):
        raise InvalidRequest("the note or the revision is too long")
    before = item.status
    item.status = status
    item.note = note.strip()
    item.addressed_in_revision = revision
    if status != "duplicate":
        item.duplicate_of_id = None
    item.updated_by_id = actor.user_id
    session.flush()
    if status != before:
        target, detail = f"feedback {item.id}", f"{before} → {status}"
        record(session, "feedback_status", actor=actor, target=target, detail=detail)
    return item


def list_items(
    session: Session,
    round_: Round,
    status: str | None = None,
    chapter: str | None = None,
    lang: str = "en",
) -> list[FeedbackRow]:
    """The round's items in survey order, optionally only of one status or chapter; the
    question in `lang`. Nothing ties an item to a person in an anonymous round: no group,
    no language, and within a question the items are in the order of their texts."""
    questions = text_questions(round_survey(round_))
    if chapter is not None:
        questions = {k: v for k, v in questions.items() if v[0].chapter == chapter}
    anonymous = round_.is_anonymous
    group: Any = null() if anonymous else Participant.group
    language: Any = null() if anonymous else Response.language
    query = (
        select(FeedbackItem, Answer.value, language, group)
        .join(Response, Response.id == FeedbackItem.response_id)
        .outerjoin(Answer, same_answer())
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Participant, Participant.id == Invitation.participant_id)
        .where(FeedbackItem.round_id == round_.id, FeedbackItem.question_id.in_(questions))
        .order_by(FeedbackItem.response_id)
    )
    if status is not None:
        query = query.where(FeedbackItem.status == status)
    order = {qid: n for n, qid in enumerate(questions)}
    rows = [
        feedback_row(item, questions[item.question_id], value, language_code, group_name, lang)
        for item, value, language_code, group_name in session.execute(query)
    ]
    if anonymous:
        return sorted(rows, key=lambda r: (order[r.question_id], r.answer.casefold(), r.answer))
    return sorted(rows, key=lambda r: order[r.question_id])


def same_answer() -> ColumnElement[bool]:
    return and_(
        Answer.response_id == FeedbackItem.response_id,
        Answer.question_id == FeedbackItem.question_id,
    )


def feedback_row(
    item: FeedbackItem,
    where: tuple[Section, Question],
    value: object,
    language: str | None,
    group: str | None,
    lang: str,
) -> FeedbackRow:
    section, question = where
    return FeedbackRow(
        id=item.id,
        chapter=section.chapter,
        section=localize(section.title, lang),
        question_id=question.id,
        question=localize(question.text, lang),
        answer=value if isinstance(value, str) else "",
        language=language,
        group=group or None,
        status=item.status,
        note=item.note,
        revision=item.addressed_in_revision,
        topic=question.topic,
        assignee_id=item.assignee_id,
        duplicate_of=item.duplicate_of_id,
    )


def by_chapter(
    rows: list[FeedbackRow], manual: Manual | None = None, revision: str | None = None
) -> list[tuple[str | None, list[FeedbackRow]]]:
    """Rows grouped by chapter, in the order of the manual's `revision`; chapters it lacks
    after, then sections without a chapter."""
    groups: dict[str | None, list[FeedbackRow]] = {}
    for row in rows:
        groups.setdefault(row.chapter, []).append(row)
    named = (manual or Manual()).chapter_order((c for c in groups if c), revision)
    return [(c, groups[c]) for c in named] + ([(None, groups[None])] if None in groups else [])


def you_said_we_did(
    session: Session,
    survey_id: str,
    revision: str,
    lang: str = "en",
    manual: Manual | None = None,
) -> YouSaidWeDid | None:
    """The feedback of the previous revision's round, by chapter, with what was done; None
    if there is no earlier round. It only reads: submitting adds the items."""
    previous = previous_revision_round(session, survey_id, revision)
    if previous is None:
        return None
    rows = list_items(session, previous, lang=lang)
    return YouSaidWeDid(previous, by_chapter(rows, manual, previous.revision))
