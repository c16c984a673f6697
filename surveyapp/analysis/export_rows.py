"""The row-by-row sheets of the Excel summary: Feedback and Responses, streamed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from ..definitions import Question, Survey, localize
from ..models import (
    FEEDBACK_STATUSES,
    Answer,
    FeedbackItem,
    Invitation,
    Participant,
    Response,
    Round,
)
from .cells import Cells
from .tidy import stream, submitted_answers

NA_CELL = "NA"  # "not applicable" in the Responses sheet, as R reads it
FEEDBACK_HEADER = ["response_id", "chapter", "question_id", "question", "answer", "language"]
TRIAGE_HEADER = ["status", "note", "addressed in revision"]
# Rows below the last item that still get the status drop-down, for items added by hand.
SPARE_ROWS = 1000
# How often (in responses) write_responses reports its progress.
PROGRESS_EVERY = 250


def _people_columns(round_: Round) -> list[Any]:
    """Who answered: nothing in an anonymous round; group, name, organisation otherwise."""
    if round_.is_anonymous:
        return []
    return [Participant.group, Participant.name, Participant.organisation]


def feedback_query(round_: Round, question_ids: list[str]) -> Any:
    """Free-text answers of submitted responses with their triage state, by response."""
    return (
        select(
            Response.id,
            Answer.question_id,
            Answer.value,
            Response.language,
            FeedbackItem.status,
            FeedbackItem.note,
            FeedbackItem.addressed_in_revision,
            *_people_columns(round_),
        )
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Participant, Participant.id == Invitation.participant_id)
        .outerjoin(
            FeedbackItem,
            and_(
                FeedbackItem.response_id == Answer.response_id,
                FeedbackItem.question_id == Answer.question_id,
            ),
        )
        .where(Response.round_id == round_.id, Response.status == "submitted")
        .where(Answer.question_id.in_(question_ids), Answer.value.is_not(None))
        .order_by(Response.id, Answer.question_id)  # index order: SQLite needs no sort
    )


def write_feedback(
    session: Session, round_: Round, survey: Survey, sheet: Worksheet, cells: Cells, lang: str
) -> int:
    """One row per free-text answer (text questions); returns how many were written.

    The group column stays empty in an anonymous round, and name and organisation
    columns exist only in rounds that are not anonymous.
    """
    chapters = {q.id: s.chapter or "" for s in survey.sections for q in s.questions}
    texts = {q.id: localize(q.text, lang) for q in survey.iter_questions() if q.type == "text"}
    people = [] if round_.is_anonymous else ["respondent", "organisation"]
    header = [*FEEDBACK_HEADER, "group", *people, *TRIAGE_HEADER]
    cells.row(sheet, 0, header)
    count = 0
    result = stream(session, feedback_query(round_, list(texts)))
    for count, item in enumerate(result, start=1):
        rid, qid, value, language, status, note, revision, *who = item
        group = who[:1] if who else [""]
        values = [rid, chapters[qid], qid, texts[qid], str(value), language or ""]
        cells.row(sheet, count, [*values, *group, *who[1:], status or "new", note, revision])
    status_col = len(header) - len(TRIAGE_HEADER)
    sheet.data_validation(
        1,
        status_col,
        count + SPARE_ROWS,
        status_col,
        {"validate": "list", "source": list(FEEDBACK_STATUSES)},
    )
    sheet.freeze_panes(1, 0)
    return count


def response_columns(survey: Survey) -> list[str]:
    """Answer columns headed by question id: `qid.row` per matrix row, `qid.option` per
    multiple-choice option (0/1), `qid.other` for the text of an "Other" choice."""
    columns: list[str] = []
    for q in survey.iter_questions():
        if q.type == "matrix":
            columns += [f"{q.id}.{r.value}" for r in q.rows]
        elif q.type == "multi":
            columns += [f"{q.id}.{o.value}" for o in q.options]
        elif q.is_answerable:
            columns.append(q.id)
        if q.other:
            columns.append(f"{q.id}.other")
    return columns


def answer_cells(
    question: Question | None, question_id: str, value: Any
) -> Iterator[tuple[str, Any]]:
    """(column, cell) pairs of one stored answer."""
    if question is not None and question.type == "multi" and isinstance(value, list):
        chosen = {str(v) for v in value}
        for option in question.options:
            yield f"{question_id}.{option.value}", int(str(option.value) in chosen)
    elif question is not None and question.type == "matrix":
        rows = value if isinstance(value, dict) else dict.fromkeys(r.value for r in question.rows)
        for row, cell in rows.items():
            yield f"{question_id}.{row}", NA_CELL if cell is None else cell
    else:
        yield question_id, NA_CELL if value is None else value


def responses_query(round_: Round) -> Any:
    """Submitted responses with who gave them (unless anonymous), ordered by response."""
    people = [] if round_.is_anonymous else [Participant.group, Participant.country]
    return (
        select(Response.id, Response.language, Response.submitted_at, *people)
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Participant, Participant.id == Invitation.participant_id)
        .where(Response.round_id == round_.id, Response.status == "submitted")
        .order_by(Response.id)
    )


def _plain_columns(survey: Survey, index: dict[str, int]) -> dict[str, int]:
    """Columns an answer goes to as it is: all but matrix rows and multiple-choice options."""
    split = {q.id for q in survey.iter_questions() if q.type in ("matrix", "multi")}
    return {name: col for name, col in index.items() if name not in split}


def write_responses(
    session: Session,
    round_: Round,
    survey: Survey,
    sheet: Worksheet,
    cells: Cells,
    progress: Callable[[int], None] | None = None,
) -> int:
    """One row per submitted response, written in order (constant memory).

    The responses and their answers are read side by side, both in response order, so
    a response's attributes are read once rather than with each of its answers.
    `progress(count)` is called every PROGRESS_EVERY responses and once at the end.
    """
    attributes = ["response_id", "language", "submitted_at"]
    if not round_.is_anonymous:
        attributes += ["group", "country"]
    header = attributes + response_columns(survey)
    cells.row(sheet, 0, header)
    index = {name: i for i, name in enumerate(header)}
    plain, questions = _plain_columns(survey, index), {q.id: q for q in survey.iter_questions()}
    answers = stream(session, submitted_answers(round_.id))
    by_response = groupby(answers, key=itemgetter(0))
    pending = next(by_response, None)
    count = 0
    heads = stream(session, responses_query(round_))
    for count, head in enumerate(heads, start=1):
        if pending is not None and pending[0] == head[0]:
            for _rid, qid, value in pending[1]:
                column = plain.get(qid)
                if column is not None and type(value) in (int, float):
                    sheet.write_number(count, column, value)  # most answers: a scale point
                elif column is not None:
                    cells.value(sheet, count, column, NA_CELL if value is None else value)
                else:
                    for name, cell in answer_cells(questions.get(qid), qid, value):
                        if name in index:
                            cells.value(sheet, count, index[name], cell)
            pending = next(by_response, None)
        row = list(head)
        row[2] = row[2].strftime("%Y-%m-%d %H:%M") if row[2] else None
        cells.row(sheet, count, row)
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if progress is not None:
        progress(count)
    sheet.freeze_panes(1, 1)
    return count
