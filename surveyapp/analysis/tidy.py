"""A round's submitted answers as a tidy table: one row per answered value."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the stack
from sqlalchemy import Dialect, Select, String, TypeDecorator, func, select, type_coerce
from sqlalchemy.orm import Session

from ..models import Answer, Invitation, Participant, Response, Round

CHUNK_SIZE = 5000
TIDY_COLUMNS = ["response_id", "question_id", "row", "value", "is_na"]
TidyRow = tuple[int, str, str, Any, bool]
ResponseIds = Select[int]


class StoredAnswer(TypeDecorator[Any]):
    """An answer's JSON value, read fast.

    SQLite hands a number over as a number (the JSON column has numeric affinity), which
    SQLAlchemy's JSON type decodes only after a caught TypeError — a third of an export's
    time. Here a number stays as it is and only text is decoded; PostgreSQL's driver has
    decoded everything already.
    """

    impl = String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if dialect.name == "sqlite" and isinstance(value, str):
            return json.loads(value)
        return value


def answer_value() -> Any:
    """Answer.value as a column that reads with StoredAnswer."""
    return type_coerce(Answer.value, StoredAnswer).label("value")


def submitted_answers(
    round_id: int, responses: ResponseIds | None = None
) -> Select[tuple[int, str, Any]]:
    """(response_id, question_id, value) of the round's submitted responses, by response;
    only those among `responses` (a select of response ids, see filters.py) if given."""
    query = (
        select(Answer.response_id, Answer.question_id, answer_value())
        .join(Response, Response.id == Answer.response_id)
        .where(Response.round_id == round_id, Response.status == "submitted")
        .order_by(Response.id, Answer.question_id)  # index order: SQLite needs no sort
    )
    return query if responses is None else query.where(Response.id.in_(responses))


def stream(session: Session, query: Any, chunk_size: int = CHUNK_SIZE) -> Any:
    """The rows of a Core query, fetched `chunk_size` at a time on the session's connection.

    Past the ORM's per-row bookkeeping, which costs three times the reading itself when a
    big round's answers are streamed.
    """
    return session.connection().execute(query.execution_options(yield_per=chunk_size))


def stream_answers(
    session: Session, query: Select[tuple[int, str, Any]], chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple[int, str, Any]]:
    """The (id, question_id, answer value) rows of a query like submitted_answers, streamed.

    On SQLite straight from the driver's cursor, `chunk_size` rows at a time, decoding only
    text: SQLAlchemy's result rows and type processing cost more than the reading
    (4,000,000 answers: 4.0 s of CPU through them, 2.9 s here, 2.0 s bare). Elsewhere
    through `stream` (on PostgreSQL a server-side cursor; its driver decodes JSON). Left
    unfinished (an export that failed), the cursor is released with the generator, as a
    result would be.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield from stream(session, query, chunk_size)
        return
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params = compiled.construct_params()
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(str(compiled), [params[name] for name in compiled.positiontup or ()])
    while rows := cursor.fetchmany(chunk_size):
        for rid, qid, value in rows:
            yield rid, qid, json.loads(value) if type(value) is str else value
    cursor.close()


def iter_answer_rows(
    session: Session,
    round_id: int,
    chunk_size: int = CHUNK_SIZE,
    *,
    responses: ResponseIds | None = None,
) -> Iterator[tuple[int, str, Any]]:
    """Stream the submitted answers without loading ORM objects."""
    yield from stream_answers(session, submitted_answers(round_id, responses), chunk_size)


def explode(response_id: int, question_id: str, value: Any) -> Iterator[TidyRow]:
    """One stored answer as tidy rows, by the JSON shape the answer was stored in.

    NULL is "not applicable"; a dict is a matrix (a row per matrix row); a list is a
    multiple choice (a row per chosen option, value 1); anything else is one value.
    """
    if value is None:
        yield response_id, question_id, "", None, True
    elif isinstance(value, dict):
        for row, cell in value.items():
            yield response_id, question_id, str(row), cell, cell is None
    elif isinstance(value, list):
        for option in value:
            yield response_id, question_id, str(option), 1, False
    else:
        yield response_id, question_id, "", value, False


def iter_tidy_rows(
    session: Session,
    round_id: int,
    chunk_size: int = CHUNK_SIZE,
    *,
    responses: ResponseIds | None = None,
) -> Iterator[TidyRow]:
    """Tidy rows of every submitted answer, streamed in response order."""
    rows = iter_answer_rows(session, round_id, chunk_size, responses=responses)
    for response_id, question_id, value in rows:
        yield from explode(response_id, question_id, value)


def iter_tidy_chunks(
    session: Session,
    round_id: int,
    chunk_size: int = CHUNK_SIZE,
    *,
    responses: ResponseIds | None = None,
) -> Iterator[pd.DataFrame]:
    """The tidy table in DataFrames of about `chunk_size` rows, for bounded memory."""
    chunk: list[TidyRow] = []
    for row in iter_tidy_rows(session, round_id, chunk_size, responses=responses):
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield _frame(chunk)
            chunk = []
    if chunk:
        yield _frame(chunk)


def _frame(rows: list[TidyRow]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=TIDY_COLUMNS)
    frame["value"] = frame["value"].astype(object)
    return frame


def response_attributes(session: Session, round_: Round) -> pd.DataFrame:
    """response_id and language of each submitted response, with group and country
    unless the round is anonymous (then nothing ties a response to a person)."""
    columns: list[Any] = [Response.id.label("response_id"), Response.language]
    if not round_.is_anonymous:
        columns += [Participant.group.label("group"), Participant.country]
    query = (
        select(*columns)
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Participant, Participant.id == Invitation.participant_id)
        .where(Response.round_id == round_.id, Response.status == "submitted")
        .order_by(Response.id)
    )
    frame = pd.DataFrame([tuple(r) for r in session.execute(query)], columns=_names(columns))
    return frame.fillna("")


def _names(columns: list[Any]) -> list[str]:
    return [str(c.key) for c in columns]


def tidy_answers(session: Session, round_: Round) -> pd.DataFrame:
    """The whole tidy table with per-response attributes; for notebooks and small rounds."""
    chunks = list(iter_tidy_chunks(session, round_.id))
    answers = pd.concat(chunks, ignore_index=True) if chunks else _frame([])
    return answers.merge(response_attributes(session, round_), on="response_id", how="left")


def submitted_count(
    session: Session, round_id: int, *, responses: ResponseIds | None = None
) -> int:
    """How many responses of the round are submitted (and among `responses`, if given)."""
    query = select(func.count()).where(
        Response.round_id == round_id, Response.status == "submitted"
    )
    if responses is not None:
        query = query.where(Response.id.in_(responses))
    return int(session.scalar(query) or 0)
