"""The row-by-row sheets of the Excel summary: Feedback and Responses, streamed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import and_, null, select
from sqlalchemy.orm import Session
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from ..definitions import Question, Survey, localize
from ..definitions.question_types import AnswerShape
from ..models import (
    Answer,
    FeedbackItem,
    Invitation,
    Participant,
    Response,
    Round,
)
from ..services.feedback_sheet import (
    COMMENT_ID,
    HEADER_LABELS,
    STAMP,
    stamp,
    status_names,
    translate,
)
from .answer_labels import NA_CELL, Labels, code_labels, is_coded, with_labels
from .cells import Cells
from .sheet_layout import (
    LABEL_WIDTH,
    N_,
    NARROW,
    TEXT,
    WIDE,
    Formats,
    filter_table,
    headers,
    lay_out,
    unique,
)
from .shuffled import ResponseNumbers, numbered_responses
from .tidy import stream, stream_answers, submitted_answers

CODES = (int, float, str, type(None))  # the types of a cell a label may explain
FEEDBACK_HEADER = [N_("response_id"), N_("chapter"), N_("question_id"), N_("question")]
FEEDBACK_HEADER += [N_("answer"), N_("language"), N_("group")]
PEOPLE_HEADER = [N_("respondent"), N_("organisation")]
TRIAGE_HEADER = ["status", "note", "addressed in revision"]
CHAPTER_TITLE = N_("chapter title")
# Widths of FEEDBACK_HEADER's columns (the question and the answer wrap), then the rest.
FEEDBACK_WIDTHS = [NARROW, NARROW, NARROW, 40, TEXT, NARROW, NARROW]
TRIAGE_WIDTHS = [18, 40, NARROW, WIDE, NARROW]
# After the chapter title: the item's id, the reference an import goes by (empty for a
# comment not brought into triage yet), and the stamp of its state (services.feedback_sheet).
IMPORT_HEADER = [COMMENT_ID, STAMP]
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
    """Free-text answers of submitted responses with their triage state, by response; no
    language in an anonymous round (a text is never shown beside it)."""
    return (
        select(
            Response.id,
            Answer.question_id,
            Answer.value,
            null() if round_.is_anonymous else Response.language,
            FeedbackItem.status,
            FeedbackItem.note,
            FeedbackItem.addressed_in_revision,
            FeedbackItem.id,
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


def _feedback_rows(
    session: Session, round_: Round, question_ids: list[str], numbers: ResponseNumbers | None
) -> Iterator[Any]:
    """feedback_query's rows; in an anonymous round by drawn number, which replaces the id."""
    query = feedback_query(round_, question_ids)
    if not round_.is_anonymous:
        yield from stream(session, query)
        return
    for batch in (numbers or ResponseNumbers.draw(session, round_.id)).batches():
        found = session.execute(query.where(Response.id.in_(list(batch))))
        yield from sorted(((batch[row[0]], *row[1:]) for row in found), key=itemgetter(0, 1))


def write_feedback(
    session: Session,
    round_: Round,
    survey: Survey,
    sheet: Worksheet,
    cells: Cells,
    lang: str,
    numbers: ResponseNumbers | None = None,
    titles: Mapping[str, str] | None = None,
    formats: Formats | None = None,
) -> int:
    """One row per free-text answer (text questions); returns how many were written.
    The chapter is named by its title in `titles` (the id when it has none); then come the
    comment id and the hidden stamp of the item's state, which an import of the sheet
    reads (services.feedback_import). Statuses are named in `lang`, with a drop-down.

    In an anonymous round the language and group columns stay empty, the response column
    holds the drawn number of `numbers` (the Responses sheet's), rows follow that number,
    and name and organisation columns exist only in rounds that are not anonymous.
    """
    chapters = {q.id: s.chapter or "" for s in survey.sections for q in s.questions}
    texts = {q.id: localize(q.text, lang) for q in survey.iter_questions() if q.kind.is_free_text}
    people = [] if round_.is_anonymous else PEOPLE_HEADER
    header = [*headers([*FEEDBACK_HEADER, *people], lang), *_triage_headers(lang), STAMP]
    status_col = len(FEEDBACK_HEADER) + len(people)
    if formats:
        widths = [*FEEDBACK_WIDTHS, *[WIDE] * len(people), *TRIAGE_WIDTHS]
        lay_out(sheet, widths, formats, wrapped=(3, 4, status_col + 1))
    cells.row(sheet, 0, header, formats.header if formats else None)
    sheet.set_column(len(header) - 1, len(header) - 1, None, None, {"hidden": True})
    names = status_names(lang)
    count = 0
    result = _feedback_rows(session, round_, list(texts), numbers)
    for count, item in enumerate(result, start=1):
        rid, qid, value, language, status, note, revision, item_id, *who = item
        group = who[:1] if who else [""]
        chapter = chapters[qid]
        values = [rid, chapter, qid, texts[qid], str(value), language or ""]
        state = [item_id, stamp(status, note, revision)] if item_id is not None else []
        title = (titles or {}).get(chapter, chapter)
        triage = [names[status or "new"], note, revision, title, *state]
        cells.row(sheet, count, [*values, *group, *who[1:], *triage])
    filter_table(sheet, 0, count, len(header) - 1)
    sheet.data_validation(
        1,
        status_col,
        count + SPARE_ROWS,
        status_col,
        {"validate": "list", "source": list(names.values())},
    )
    sheet.freeze_panes(1, 0)
    return count


def _triage_headers(lang: str) -> list[str]:
    """The columns editors fill in, then the chapter title and the comment id: in English
    the keys the import reads, in other languages the triage form's labels (it reads them
    too, services.feedback_sheet.header_key)."""
    keys = [*TRIAGE_HEADER, CHAPTER_TITLE, COMMENT_ID]
    if lang == "en":
        return keys
    return [translate(HEADER_LABELS.get(key, key), lang) for key in keys]


def response_columns(survey: Survey, lang: str | None = None) -> list[str]:
    """Answer columns headed by question id: `qid.row` per matrix row, `qid.option` per
    multiple-choice option (0/1), `qid.other` for the text of an "Other" choice; with a
    `lang`, each column of codes followed by its label column (answer_labels.py)."""
    columns: list[str] = []
    for q in survey.iter_questions():
        names = ANSWER_COLUMNS[q.kind.shape].names(q)
        columns += names if lang is None else with_labels(q, names, lang)
        if q.other:
            columns.append(f"{q.id}.other")
    return columns


def answer_cells(
    question: Question | None, question_id: str, value: Any
) -> Iterator[tuple[str, Any]]:
    """(column, cell) pairs of one stored answer (of an "Other" text: no question)."""
    shape: AnswerShape = "one" if question is None else question.kind.shape
    return ANSWER_COLUMNS[shape].cells(question, question_id, value)


@dataclass(frozen=True)
class AnswerColumns:
    """How answers of one shape (question_types.AnswerShape) go into the Responses sheet."""

    names: Callable[[Question], list[str]]
    cells: Callable[[Question | None, str, Any], Iterator[tuple[str, Any]]]
    note: str = ""  # what the codebook says of the columns


def _as_is(question: Question | None, question_id: str, value: Any) -> Iterator[tuple[str, Any]]:
    yield question_id, NA_CELL if value is None else value


def _chosen(question: Question | None, question_id: str, value: Any) -> Iterator[tuple[str, Any]]:
    if question is None or not isinstance(value, list):
        yield from _as_is(question, question_id, value)
        return
    chosen = {str(v) for v in value}
    for option in question.options:
        yield f"{question_id}.{option.value}", int(str(option.value) in chosen)


def _per_row(question: Question | None, question_id: str, value: Any) -> Iterator[tuple[str, Any]]:
    assert question is not None
    rows = value if isinstance(value, dict) else dict.fromkeys(r.value for r in question.rows)
    for row, cell in rows.items():
        yield f"{question_id}.{row}", NA_CELL if cell is None else cell


ANSWER_COLUMNS: dict[AnswerShape, AnswerColumns] = {
    "none": AnswerColumns(lambda q: [], _as_is),
    "one": AnswerColumns(lambda q: [q.id], _as_is),
    "many": AnswerColumns(
        lambda q: [f"{q.id}.{o.value}" for o in q.options],
        _chosen,
        "columns per option: 1 = chosen, 0 = not chosen",
    ),
    "rows": AnswerColumns(lambda q: [f"{q.id}.{r.value}" for r in q.rows], _per_row),
}


def responses_query(round_: Round) -> Any:
    """Submitted responses of a round that is not anonymous with who gave them, by id."""
    return (
        select(
            Response.id,
            Response.language,
            Response.submitted_at,
            Participant.group,
            Participant.country,
        )
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Participant, Participant.id == Invitation.participant_id)
        .where(Response.round_id == round_.id, Response.status == "submitted")
        .order_by(Response.id)
    )


def _plain_columns(survey: Survey, index: dict[str, int]) -> dict[str, int]:
    """Columns an answer goes to as it is: all but matrix rows and multiple-choice options."""
    split = {q.id for q in survey.iter_questions() if q.kind.splits}
    return {name: col for name, col in index.items() if name not in split}


def _coded_columns(survey: Survey, index: dict[str, int], lang: str) -> dict[int, Labels]:
    """Each column of codes and what its codes mean in `lang`; its labels go to the
    column after it."""
    coded: dict[int, Labels] = {}
    for q in survey.iter_questions():
        if is_coded(q):
            labels = code_labels(q, lang)
            for name in ANSWER_COLUMNS[q.kind.shape].names(q):
                coded[index[name]] = labels
    return coded


def _named_rows(session: Session, round_: Round) -> Iterator[tuple[list[Any], Iterable[Any]]]:
    """(response cells, its (question_id, value) answers) of each response, by id.

    The responses and their answers are read side by side, both in response order, so
    a response's attributes are read once rather than with each of its answers.
    """
    answers = stream_answers(session, submitted_answers(round_.id))
    by_response = groupby(answers, key=itemgetter(0))
    pending = next(by_response, None)
    for head in stream(session, responses_query(round_)):
        row = list(head)
        row[2] = row[2].strftime("%Y-%m-%d %H:%M") if row[2] else None
        if pending is None or pending[0] != head[0]:
            yield row, ()
            continue
        yield row, ((qid, value) for _rid, qid, value in pending[1])
        pending = next(by_response, None)  # once the writer has taken this response's answers


def _label(sheet: Worksheet, row: int, column: int, cell: Any, coded: dict[int, Labels]) -> None:
    """The label of a code in a column of its own (a matrix row's), if it has one."""
    labels = coded.get(column)
    if labels is not None and type(cell) in CODES and (text := labels.get(cell)):
        sheet.write_string(row, column + 1, text)


def _numbered_rows(
    session: Session, numbers: ResponseNumbers
) -> Iterator[tuple[list[Any], Iterable[Any]]]:
    """Like _named_rows for an anonymous round: drawn number and date, in number order."""
    for response in numbered_responses(session, numbers):
        yield [response.number, response.submitted_on], response.answers


def write_responses(
    session: Session,
    round_: Round,
    survey: Survey,
    sheet: Worksheet,
    cells: Cells,
    progress: Callable[[int], None] | None = None,
    numbers: ResponseNumbers | None = None,
    formats: Formats | None = None,
    lang: str = "en",
) -> int:
    """One row per submitted response, written in order (constant memory). The attribute
    columns are headed in `lang`, the answer columns by their codes (the Codebook's); a
    column of codes has their labels in `lang` beside it (answer_labels.py).

    An anonymous round's rows carry the drawn number of `numbers` for an id, the date
    without the time and no language, in the order of the numbers (see shuffled.py).
    `progress(count)` is called every PROGRESS_EVERY responses and once at the end.
    """
    if round_.is_anonymous:
        attributes = [N_("response_id"), N_("submitted_at")]
        numbers = numbers or ResponseNumbers.draw(session, round_.id)
        rows = _numbered_rows(session, numbers)
    else:
        # The participant's country: a survey may ask for a "country" of its own.
        attributes = [N_("response_id"), N_("language"), N_("submitted_at"), N_("group")]
        attributes.append(N_("participant_country"))
        rows = _named_rows(session, round_)
    codes = response_columns(survey, lang)
    index = {name: i for i, name in enumerate([*attributes, *codes])}
    coded = _coded_columns(survey, index, lang)
    if formats:
        widths = [NARROW] * (len(attributes) + len(codes))
        for code in coded:
            widths[code + 1] = LABEL_WIDTH
        lay_out(sheet, widths, formats)
    header = unique([*headers(attributes, lang), *codes])
    cells.row(sheet, 0, header, formats.header if formats else None)
    plain, questions = _plain_columns(survey, index), {q.id: q for q in survey.iter_questions()}
    count = 0
    for count, (head, answers) in enumerate(rows, start=1):
        for qid, value in answers:
            column = plain.get(qid)
            if column is None:  # matrix rows, multiple-choice options
                for name, cell in answer_cells(questions.get(qid), qid, value):
                    if name in index:
                        cells.value(sheet, count, index[name], cell)
                        _label(sheet, count, index[name], cell, coded)
                continue
            if type(value) in (int, float):
                sheet.write_number(count, column, value)  # most answers: a scale point
            else:
                cells.value(sheet, count, column, NA_CELL if value is None else value)
            labels = coded.get(column)
            if labels is not None and type(value) in CODES and (text := labels.get(value)):
                sheet.write_string(count, column + 1, text)
        cells.row(sheet, count, head)
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if progress is not None:
        progress(count)
    filter_table(sheet, 0, count, len(header), freeze_cols=1)
    return count
