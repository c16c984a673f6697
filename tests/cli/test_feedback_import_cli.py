"""`surveyapp feedback import FILE --round ID [--apply] [--as EMAIL]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analysis_dataset import build
from flask.testing import FlaskCliRunner
from import_world import edit_sheet, feedback_rows
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP, fresh
from surveyapp.models import FeedbackItem
from surveyapp.services import users


def exported(runner: FlaskCliRunner, round_id: int, path: Path) -> bytes:
    result = runner.invoke(args=["export", str(round_id), "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def test_import_previews_by_row_and_saves_only_with_apply(
    runner: FlaskCliRunner, session: Session, tmp_path: Path, audit_events: Any
) -> None:
    data = build(session, tmp_path)
    book = exported(runner, data.current.id, tmp_path / "summary.xlsx")
    ids = {r["answer"]: r["comment id"] for r in feedback_rows(book)}
    edited, row = edit_sheet(book, {"Too long": {"status": "accepted", "note": "Cut it"}})
    path = tmp_path / "edited.xlsx"
    path.write_bytes(edited)
    args = ["feedback", "import", str(path), "--round", str(data.current.id)]

    shown = runner.invoke(args=args)
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == "1 change(s), 0 conflict(s), 0 row(s) with problems, 1 unchanged row(s)."
    expected = f"row {row['Too long']}: comment {ids['Too long']}: status 'new' → 'accepted'"
    assert lines[1] == f"{expected}; note '' → 'Cut it'"
    assert lines[-1] == "Nothing was saved (add --apply to save the changes)."
    item = fresh(session).get_one(FeedbackItem, ids["Too long"])
    assert (item.status, item.note) == ("new", ""), "a preview writes nothing"
    assert audit_events("feedback_imported") == []

    editor = users.add_user(session, "ed@partnership.example", "editor", "x" * 16, actor=SETUP)
    session.commit()
    saved = runner.invoke(args=[*args, "--apply", "--as", "ed@partnership.example"])
    assert saved.exit_code == 0, saved.output
    assert saved.output.splitlines()[-1] == "Saved: 1 item(s) changed, 0 conflict(s) skipped."
    item = fresh(session).get_one(FeedbackItem, ids["Too long"])
    assert (item.status, item.note, item.updated_by_id) == ("accepted", "Cut it", editor.id)
    (event,) = audit_events("feedback_imported")
    assert event.actor_email.startswith("ed@partnership.example via ")
    assert "(command line" in event.actor_email and event.actor_id == editor.id
    again = runner.invoke(args=[*args, "--apply"])
    assert again.output.splitlines()[0].startswith("0 change(s), 0 conflict(s)")
    statuses = set(session.scalars(select(FeedbackItem.status)))
    assert statuses == {"accepted", "new"}


def test_an_unreadable_file_exits_non_zero(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    data = build(session, tmp_path)
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    result = runner.invoke(args=["feedback", "import", str(path), "--round", str(data.current.id)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {path}: the file could not be read as an Excel workbook (.xlsx)"
    )
    unknown = runner.invoke(args=["feedback", "import", str(path), "--round", "99999"])
    assert unknown.exit_code == 1 and "there is no round 99999" in unknown.output
