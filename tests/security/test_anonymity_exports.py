"""An anonymous round's exports, read back with openpyxl and csv: response numbers drawn at
random for each export (never the database's ids), rows in that random order, dates
without times, and no language, group or country beside any answer."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from anonymous_round import AnonymousRound, build, note
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from surveyapp.analysis.export_csv import write_tidy_csv
from surveyapp.analysis.export_xlsx import write_summary
from surveyapp.models import Invitation, Round

Maker = Callable[..., Any]
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(params=["detached", "tied"])
def data(
    request: pytest.FixtureRequest,
    session: Session,
    make_round: Maker,
    make_invitation: Maker,
    make_participant: Maker,
) -> AnonymousRound:
    """Twelve responses: none tied to an invitation, or every other one (both must hold)."""

    def invite(round_: Round, n: int) -> Invitation:
        return make_invitation(round_, make_participant(country="FI", group="g1"))

    tied = invite if request.param == "tied" else None
    return build(session, make_round(is_anonymous=True), tied)


def sheet_rows(path: Path, name: str) -> list[dict[str, Any]]:
    rows = list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def numbering(path: Path, data: AnonymousRound) -> dict[int, int]:
    """Database id of each response by its number in the workbook's Responses sheet."""
    ids = data.by_years()
    return {row["response_id"]: ids[row["years"]] for row in sheet_rows(path, "Responses")}


def test_the_responses_sheet_numbers_rows_at_random_and_dates_them_without_times(
    session: Session, data: AnonymousRound, tmp_path: Path
) -> None:
    path = write_summary(session, data.round, tmp_path / "out.xlsx").path
    rows = sheet_rows(path, "Responses")
    assert [row["response_id"] for row in rows] == list(range(1, 13)), "rows follow the numbers"
    ids = [data.by_years()[row["years"]] for row in rows]
    assert ids != sorted(ids), "neither the numbers nor the rows follow the database's ids"
    assert all(DATE.fullmatch(row["submitted_at"]) for row in rows), "a date, no time"
    assert not {"language", "group", "country"} & set(rows[0])


def test_the_feedback_sheet_shares_the_drawn_numbers_and_nothing_else(
    session: Session, data: AnonymousRound, tmp_path: Path
) -> None:
    path = write_summary(session, data.round, tmp_path / "out.xlsx").path
    texts = {row["response_id"]: row["why_missing"] for row in sheet_rows(path, "Responses")}
    feedback = sheet_rows(path, "Feedback")
    assert [(row["response_id"], row["answer"]) for row in feedback] == sorted(
        (number, text) for number, text in texts.items() if text
    ), "the Responses sheet's numbers, in their order"
    assert {(row["language"] or "", row["group"] or "") for row in feedback} == {("", "")}


def test_each_export_draws_new_numbers(
    session: Session, data: AnonymousRound, tmp_path: Path
) -> None:
    first = numbering(write_summary(session, data.round, tmp_path / "1.xlsx").path, data)
    second = numbering(write_summary(session, data.round, tmp_path / "2.xlsx").path, data)
    assert sorted(first.values()) == sorted(second.values()) == sorted(data.by_years().values())
    assert first != second, "a number is no function of the response: nothing to join on"


def test_the_tidy_csv_carries_the_workbooks_numbers_in_their_order_and_no_language(
    runner: FlaskCliRunner, data: AnonymousRound, tmp_path: Path
) -> None:
    xlsx, tidy = tmp_path / "out.xlsx", tmp_path / "tidy.csv"
    args = ["export", str(data.round.id), "-o", str(xlsx), "--csv", str(tidy)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    with tidy.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    years = {int(r["response_id"]): int(r["value"]) for r in rows if r["question_id"] == "years"}
    ids = data.by_years()
    assert {n: ids[y] for n, y in years.items()} == numbering(xlsx, data), "one drawing"
    order = list(dict.fromkeys(int(r["response_id"]) for r in rows))
    assert order == list(range(1, 13)), "rows follow the numbers"
    assert {r["language"] for r in rows} == {""}
    texts = sorted(r["value"] for r in rows if r["question_id"] == "why_missing")
    assert texts == sorted(note(i) for i in range(4, 12))


def test_a_tidy_csv_alone_draws_numbers_too(
    session: Session, data: AnonymousRound, tmp_path: Path
) -> None:
    assert write_tidy_csv(session, data.round, tmp_path / "tidy.csv") > 0
    with (tmp_path / "tidy.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    ids = data.by_years()
    by_number = {
        int(r["response_id"]): ids[int(r["value"])] for r in rows if r["question_id"] == "years"
    }
    assert sorted(by_number) == list(range(1, 13))
    assert [by_number[n] for n in sorted(by_number)] != sorted(ids.values())
