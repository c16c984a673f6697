"""The exports stream a big round: no read hands over more than a chunk of rows at once.

A bound, not a timing: every fetch from SQLite is counted at the driver, so a `fetchall`
(or `.all()`) of the round's answers, responses or free texts brought back fails here.
The round has more responses (and free texts) than a chunk, and four times as many
answers; named, and anonymous (read a batch of drawn numbers at a time, shuffled.py).
Always on a SQLite file of its own, whatever database the suite runs on."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, select
from sqlalchemy.orm import Session

from surveyapp import migrate
from surveyapp.analysis.export_csv import write_tidy_csv
from surveyapp.analysis.export_xlsx import write_summary
from surveyapp.analysis.tidy import CHUNK_SIZE
from surveyapp.db import make_engine, utcnow
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import Answer, Response, Round
from surveyapp.services import rounds
from surveyapp.services.audit import Actor

RESPONSES = CHUNK_SIZE + 1000
SURVEY = """\
id: big
title: {en: Big}
languages: [en]
sections:
  - id: s
    chapter: why
    title: {en: S}
    questions:
      - {id: q1, type: likert, scale: agree5, na: true, text: {en: One}}
      - {id: q2, type: rating, min: 0, max: 10, text: {en: Two}}
      - id: q3
        type: single
        text: {en: Three}
        options: [{value: a, label: {en: A}}, {value: b, label: {en: B}}]
      - {id: q4, type: text, text: {en: Four}}
"""
# Rows each fetch handed over, from every cursor of the engine.
FETCHED: list[int] = []


class CountingCursor(sqlite3.Cursor):
    def fetchone(self) -> Any:
        row = super().fetchone()
        FETCHED.append(row is not None)
        return row

    def fetchmany(self, size: int | None = None) -> list[Any]:
        rows = super().fetchmany(self.arraysize if size is None else size)
        FETCHED.append(len(rows))
        return rows

    def fetchall(self) -> list[Any]:
        rows = super().fetchall()
        FETCHED.append(len(rows))
        return rows

    def __next__(self) -> Any:
        row = super().__next__()
        FETCHED.append(1)
        return row


class CountingConnection(sqlite3.Connection):
    def cursor(self, factory: Any = CountingCursor) -> Any:
        return super().cursor(factory)


def _counting(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
    params["factory"] = CountingConnection


@pytest.fixture(params=[False, True], ids=["named", "anonymous"])
def big_round(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Engine, int]:
    (tmp_path / "surveys").mkdir()
    (tmp_path / "surveys" / "big.yaml").write_text(SURVEY, encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp_path / 'big.db'}")
    event.listen(engine, "do_connect", _counting)
    migrate.upgrade(engine)
    with Session(engine) as session:
        registry = SurveyRegistry(tmp_path / "surveys")
        round_ = rounds.open_round(
            session, registry, "big", "1.0", is_anonymous=request.param, actor=Actor.from_os()
        )
        now = utcnow()
        head = {"round_id": round_.id, "status": "submitted", "language": "en"}
        times = {"started_at": now, "updated_at": now, "submitted_at": now}
        session.execute(insert(Response), [head | times] * RESPONSES)
        ids = session.scalars(select(Response.id).where(Response.round_id == round_.id))
        values = {"q1": 4, "q2": 7, "q3": "a", "q4": "A comment"}
        answers = [
            {"response_id": rid, "question_id": qid, "value": value}
            for rid in ids
            for qid, value in values.items()
        ]
        session.execute(insert(Answer), answers)
        session.commit()
        return engine, round_.id


@pytest.mark.parametrize("export", ["xlsx", "csv"])
def test_a_big_round_is_read_a_chunk_at_a_time(
    big_round: tuple[Engine, int], tmp_path: Path, export: str
) -> None:
    engine, round_id = big_round
    FETCHED.clear()
    with Session(engine) as session:
        round_ = session.get_one(Round, round_id)
        if export == "xlsx":
            written = write_summary(session, round_, tmp_path / "big.xlsx")
            assert (written.submitted, written.feedback) == (RESPONSES, RESPONSES)
        else:
            assert write_tidy_csv(session, round_, tmp_path / "big.csv") == 4 * RESPONSES
    assert sum(FETCHED) >= 4 * RESPONSES, "every answer was read through the counted cursors"
    assert max(FETCHED) <= CHUNK_SIZE
    engine.dispose()
