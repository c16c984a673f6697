"""The pre-report and the summary as PDF (read back with pypdf) and as workbooks (read back
with openpyxl), in the host's language or another of the set's."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from openpyxl import load_workbook
from peer_review_world import ReviewWorld, build_review, score_everything
from pypdf import PdfReader
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.services import peer_reviews


@pytest.fixture
def world(session: Session) -> ReviewWorld:
    found = build_review(session)
    score_everything(session, found)
    peer_reviews.save_note(
        session, found.review, found.first, notes="n", final_level=4, strengths="Clear mandate",
        development_areas="More data", actor=SETUP,
    )  # fmt: skip
    peer_reviews.add_action(
        session, found.review, title="=Publish a strategy", owner="CFO",
        due_on=dt.date(2028, 1, 31), priority="high", criterion_id=found.first, actor=SETUP,
    )  # fmt: skip
    session.commit()
    return found


def _pdf_text(body: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(body)).pages)


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_pre_report_pdf(
    coordinator: FlaskClient, world: ReviewWorld, audit_events: Callable[..., Any]
) -> None:
    response = coordinator.get(f"/workspace/reviews/{world.review.id}/pre-report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    [event] = audit_events("review_report_downloaded")
    assert event.target == f"review {world.review.id}"
    name = f"review-{world.review.id}-pre-fi.pdf"
    assert event.detail == f"pre: {name}, {len(response.data)} bytes"
    text = _squash(_pdf_text(response.data))
    criterion = world.criteria.criteria[0]
    assert _squash(criterion.text["fi"])[:40] in text, "a criterion, in the host's language"
    assert _squash(criterion.levels[2].label["fi"])[:20] in text, "a level"
    assert "Question 0 from City of Malmö?" in text


def test_summary_pdf_in_another_language(coordinator: FlaskClient, world: ReviewWorld) -> None:
    url = f"/workspace/reviews/{world.review.id}/summary.pdf?lang=en"
    text = _squash(_pdf_text(coordinator.get(url).data))
    criterion = world.criteria.criteria[0]
    assert _squash(criterion.text["en"])[:40] in text
    assert _squash(criterion.levels[3].label["en"])[:20] in text, "the final level's label"
    assert "Clear mandate" in text and "Publish a strategy" in text


def test_pre_report_workbook(coordinator: FlaskClient, world: ReviewWorld) -> None:
    response = coordinator.get(f"/workspace/reviews/{world.review.id}/pre-report.xlsx?lang=en")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Chapter", "Criterion", "Organisation")
    criterion = world.criteria.criteria[0]
    first = [r for r in rows[1:] if r[1] == criterion.text["en"]]
    assert {r[2] for r in first} == {"City of Tampere", "City of Malmö", "Dublin City Council"}
    assert sheet.auto_filter.ref and sheet.freeze_panes == "C2"
    assert sheet.column_dimensions["B"].width > 30


def test_summary_workbook(coordinator: FlaskClient, world: ReviewWorld) -> None:
    response = coordinator.get(f"/workspace/reviews/{world.review.id}/summary.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    criterion = world.criteria.criteria[0]
    row = next(r for r in summary if r[1] == criterion.text["fi"])
    assert row[3] == 4 and row[7] == "Clear mandate"
    actions = list(book.worksheets[1].iter_rows(values_only=True))
    assert actions[1][0] == "'=Publish a strategy", "text never becomes a formula"
    assert actions[1][2] == "CFO"


def test_the_command_line_writes_both_reports(
    runner: FlaskCliRunner,
    world: ReviewWorld,
    tmp_path: Path,
    audit_events: Callable[..., Any],
) -> None:
    pdf = tmp_path / "pre.pdf"
    args = ["review", "report", str(world.review.id), "--kind", "pre", "--format", "pdf"]
    result = runner.invoke(args=[*args, "-o", str(pdf)])
    assert result.exit_code == 0, result.output
    criterion = world.criteria.criteria[0]
    assert _squash(criterion.text["fi"])[:40] in _squash(_pdf_text(pdf.read_bytes()))
    xlsx = tmp_path / "summary.xlsx"
    args = ["review", "report", str(world.review.id), "--kind", "summary", "--format", "xlsx"]
    result = runner.invoke(args=[*args, "--lang", "sv", "-o", str(xlsx)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(xlsx).worksheets[0].iter_rows(values_only=True))
    assert any(row[1] == criterion.text["sv"] for row in rows)
    refused = runner.invoke(args=[*args, "--lang", "de", "-o", str(xlsx)])
    assert refused.exit_code == 1 and "not a language" in refused.output
    events = audit_events("review_report_downloaded")
    assert [e.detail.split(",")[0] for e in events] == ["pre: pre.pdf", "summary: summary.xlsx"]
    assert all("(command line" in e.actor_email for e in events), "the person at the terminal"


def test_a_reruns_summary_workbook_has_the_change_and_the_statuses(
    coordinator: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    peer_reviews.publish(session, world.review, actor=SETUP)
    later = peer_reviews.start_rerun(
        session, world.review, criteria=world.criteria, evaluation_start=dt.date(2029, 5, 14),
        evaluation_end=dt.date(2029, 5, 15), actor=SETUP,
    ).review  # fmt: skip
    host = next(p for p in later.parties if p.role == "host").members[0]
    action = peer_reviews.follow_ups(session, later)[0].action_id
    peer_reviews.save_follow_up(
        session, host, action, status="done", explanation="Adopted 2028", actor=SETUP
    )
    peer_reviews.save_note(
        session, later, world.first, notes="", final_level=5, strengths="", development_areas="",
        actor=SETUP,
    )  # fmt: skip
    session.commit()
    response = coordinator.get(f"/workspace/reviews/{later.id}/summary.xlsx?lang=en")
    book = load_workbook(io.BytesIO(response.data))
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    row = next(r for r in summary if r[1] == world.criteria.criteria[0].text["en"])
    assert (row[3], row[5], row[6]) == (5, 4, 1)
    earlier = list(book["Earlier actions"].iter_rows(values_only=True))
    assert earlier[1] == ("'=Publish a strategy", "Done", "Adopted 2028")
    page = coordinator.get(f"/workspace/reviews/{later.id}/summary").get_data(as_text=True)
    assert "Adopted 2028" in page and "+1.0" in page
