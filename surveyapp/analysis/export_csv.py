"""The tidy CSV of a round (one row per answer value), for analysts using R or pandas."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..csv_output import as_text_cell
from ..files import replacing
from ..models import Response, Round
from .shuffled import ResponseNumbers, numbered_responses
from .tidy import TidyRow, explode, iter_tidy_rows, stream

CSV_HEADER = ("response_id", "question_id", "row", "value", "is_na", "language")


def response_languages(session: Session, round_id: int) -> Iterator[tuple[int, str]]:
    """(id, language) of each submitted response, by id, streamed."""
    query = (
        select(Response.id, Response.language)
        .where(Response.round_id == round_id, Response.status == "submitted")
        .order_by(Response.id)
    )
    for rid, language in stream(session, query):
        yield rid, language or ""


def _with_languages(session: Session, round_id: int) -> Iterator[tuple[TidyRow, str]]:
    """The round's tidy rows, each with its response's language; both are read in response
    order, side by side, so no response's language is held past its rows."""
    languages = response_languages(session, round_id)
    rid, language = -1, ""
    for row in iter_tidy_rows(session, round_id):
        while rid != row[0]:
            rid, language = next(languages, (row[0], ""))
        yield row, language


def _numbered_tidy_rows(session: Session, numbers: ResponseNumbers) -> Iterator[TidyRow]:
    """Tidy rows of an anonymous round: by drawn number, which stands for the id."""
    for response in numbered_responses(session, numbers):
        for qid, value in response.answers:
            yield from explode(response.number, qid, value)


def write_tidy_csv(
    session: Session, round_: Round, path: Path | str, numbers: ResponseNumbers | None = None
) -> int:
    """Stream the round's submitted answers to UTF-8 CSV; returns the number of rows.

    Text is written whole (never cut) and formula-safe; "not applicable" has is_na 1 and
    an empty value. An anonymous round's rows carry the drawn numbers of `numbers` (drawn
    if not given) for response ids, in their order, and no language.
    """
    if round_.is_anonymous:
        numbered = _numbered_tidy_rows(session, numbers or ResponseNumbers.draw(session, round_.id))
        rows: Iterator[tuple[TidyRow, str]] = ((row, "") for row in numbered)
    else:
        rows = _with_languages(session, round_.id)
    count = 0
    with replacing(Path(path)) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(CSV_HEADER)
        for (rid, qid, row, value, is_na), language in rows:
            cell = "" if value is None else as_text_cell(str(value))
            writer.writerow([rid, as_text_cell(qid), as_text_cell(row), cell, int(is_na), language])
            count += 1
    return count
