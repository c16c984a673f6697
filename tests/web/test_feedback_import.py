"""Triage from Excel: the round's Excel summary exported, its Feedback sheet edited with
openpyxl, uploaded, previewed by sheet row and applied on confirmation (issue 14)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import analysis_dataset
import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from import_world import edit_sheet, feedback_rows
from queue_world import add_comments
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP, fresh, workspace_token
from surveyapp.feedback import import_views
from surveyapp.models import FeedbackItem, Round
from surveyapp.services import feedback, feedback_changes, feedback_queue
from surveyapp.services.feedback_import import preview_import
from surveyapp.services.feedback_workbook import read_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return app_config | {"EXPORT_INLINE": True}


def export(client: FlaskClient, round_id: int, lang: str = "en") -> bytes:
    """The Excel summary the way an editor gets it: start, the job's page, its file."""
    data = {"csrf_token": workspace_token(client), "lang": lang}
    started = client.post(f"/workspace/rounds/{round_id}/export", data=data)
    assert started.status_code == 303
    html = client.get(started.headers["Location"]).get_data(as_text=True)
    link = re.search(r'<a class="button" href="([^"]+/file)" download>', html)
    assert link
    return client.get(link.group(1)).get_data()


def upload(client: FlaskClient, round_id: int, data: bytes, name: str = "summary.xlsx") -> Any:
    address = f"/workspace/rounds/{round_id}/feedback/import"
    form = {"csrf_token": workspace_token(client, address), "file": (io.BytesIO(data), name, XLSX)}
    return client.post(address, data=form, content_type="multipart/form-data")


def confirm(client: FlaskClient, round_id: int, preview_html: str) -> Any:
    token = re.search(r'name="token" value="([^"]+)"', preview_html)
    assert token, "a confirm button"
    address = f"/workspace/rounds/{round_id}/feedback/import/apply"
    form = {"csrf_token": workspace_token(client), "token": token.group(1)}
    return client.post(address, data=form)


def items(session: Session, round_: Round) -> dict[str, FeedbackItem]:
    """The round's items by the text of their comment."""
    session.rollback()
    session.expire_all()
    found = {}
    for item in session.scalars(select(FeedbackItem).where(FeedbackItem.round_id == round_.id)):
        row = next(r for r in item_texts(session, round_) if r[0] == item.id)
        found[row[1]] = item
    return found


def item_texts(session: Session, round_: Round) -> list[tuple[int, str]]:
    rows = feedback_queue.items_page(session, round_, feedback_queue.QueueQuery()).rows
    return [(r.id, r.answer) for r in rows]


def test_the_round_trip_previews_by_sheet_row_and_applies_all_but_the_conflict(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset, audit_events: Any
) -> None:
    round_ = data.current
    add_comments(session, round_, 4)
    book = export(editor, round_.id)
    before = items(session, round_)
    assert {r["answer"]: r["comment id"] for r in feedback_rows(book)} == {
        ("'=1+1" if text == "=1+1" else text): item.id for text, item in before.items()
    }
    # Meanwhile, in the browser: one comment the sheet changes too, one it leaves alone.
    for text in ("Comment 0003", "Comment 0002"):
        feedback_changes.update_items(
            session, round_, [before[text].id], status="rejected", note="browser", actor=SETUP
        )
    session.commit()
    edited, row = edit_sheet(
        book,
        {
            "Comment 0000": {
                "status": "partly accepted",
                "note": "Shorter",
                "addressed in revision": 0.11,
            },
            "Comment 0001": {"status": "Rejected"},
            "Comment 0003": {"status": "accepted"},
            "'=1+1": {"status": "maybe"},
        },
        extra=[{"comment id": 987654321, "status": "accepted"}],
    )

    preview = preview_import(session, round_, read_workbook(edited))
    changes = {(c.row, c.item_id, c.new) for c in preview.changes}
    assert changes == {
        (row["Comment 0000"], before["Comment 0000"].id, ("partly_accepted", "Shorter", "0.11")),
        (row["Comment 0001"], before["Comment 0001"].id, ("rejected", "", "")),
    }
    (conflict,) = preview.conflicts
    assert (conflict.row, conflict.item_id) == (row["Comment 0003"], before["Comment 0003"].id)
    assert conflict.old == ("rejected", "browser", "") and conflict.new.status == "accepted"
    problems = [(p.row, p.kind, p.value) for p in preview.problems]
    assert problems == sorted(
        [(row["'=1+1"], "invalid_status", "maybe"), (row["extra 0"], "unknown_id", "987654321")]
    )
    assert preview.unchanged == 2, "Too long and Comment 0002 (changed in the browser only)"

    page = upload(editor, round_.id, edited)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Rows to change: 2; conflicts: 1; rows with problems: 2; unchanged rows: 2." in html
    assert f'<th scope="row">{row["extra 0"]}</th>' in html and "“maybe” is not a status." in html
    assert items(session, round_)["Comment 0000"].status == "new", "a preview writes nothing"

    applied = confirm(editor, round_.id, html)
    assert applied.status_code == 303
    assert applied.headers["Location"].endswith(f"/workspace/rounds/{round_.id}/feedback")
    after = items(session, round_)
    first = after["Comment 0000"]
    assert (first.status, first.note, first.addressed_in_revision) == (
        "partly_accepted",
        "Shorter",
        "0.11",
    )
    assert first.updated_by_id == editor.user.id  # type: ignore[attr-defined]
    assert after["Comment 0001"].status == "rejected"
    kept = after["Comment 0003"]
    assert (kept.status, kept.note) == ("rejected", "browser"), "the conflict is not overwritten"
    assert after["Comment 0002"].note == "browser" and after["Too long"].status == "new"
    (event,) = audit_events("feedback_imported")
    assert event.actor_email == editor.user.email  # type: ignore[attr-defined]
    assert event.target == f"round {round_.id}"
    ids = sorted([before["Comment 0000"].id, before["Comment 0001"].id])
    assert event.detail.startswith(f"2 items from a workbook: {ids[0]}, {ids[1]}")
    assert "Shorter" not in event.detail, "never the note"
    flashed = editor.get(applied.headers["Location"]).get_data(as_text=True)
    assert "Feedback items changed from the workbook: 2." in flashed
    assert f"changed after the export: rows {row['Comment 0003']}." in flashed


def test_a_change_between_preview_and_confirmation_is_a_conflict_too(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset, audit_events: Any
) -> None:
    round_ = data.current
    add_comments(session, round_, 1)
    book = export(editor, round_.id)
    edited, _row = edit_sheet(
        book, {"Comment 0000": {"status": "done"}, "Too long": {"status": "duplicate"}}
    )
    html = upload(editor, round_.id, edited).get_data(as_text=True)
    assert "Rows to change: 2; conflicts: 0" in html
    target = items(session, round_)["Comment 0000"]
    feedback_changes.update_items(session, round_, [target.id], status="rejected", actor=SETUP)
    session.commit()
    assert confirm(editor, round_.id, html).status_code == 303
    after = items(session, round_)
    assert after["Comment 0000"].status == "rejected" and after["Too long"].status == "duplicate"
    (event,) = audit_events("feedback_imported")
    assert event.detail == (
        f"1 items from a workbook: {after['Too long'].id}; conflicts skipped: {target.id}"
    )
    again = confirm(editor, round_.id, html)  # the kept file went with the confirmation
    assert again.headers["Location"].endswith("/feedback/import")


def test_a_duplicate_given_another_status_in_the_sheet_loses_its_link(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    round_ = data.current
    add_comments(session, round_, 1)
    found = items(session, round_)
    feedback_changes.mark_duplicates(
        session, round_, [found["Comment 0000"].id], found["Too long"].id, actor=SETUP
    )
    session.commit()
    edited, _row = edit_sheet(export(editor, round_.id), {"Comment 0000": {"status": "accepted"}})
    html = upload(editor, round_.id, edited).get_data(as_text=True)
    assert confirm(editor, round_.id, html).status_code == 303
    after = items(session, round_)["Comment 0000"]
    assert (after.status, after.duplicate_of_id) == ("accepted", None)


def test_a_finnish_workbook_is_read_back_with_finnish_statuses_and_headers(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    round_ = data.current
    book = export(editor, round_.id, "fi")
    assert {r["status"] for r in feedback_rows(book)} == {"uusi"}
    sheet: Any = openpyxl.load_workbook(io.BytesIO(book))["Feedback"]
    assert "kaksoiskappale" in sheet.data_validations.dataValidation[0].formula1
    edited, row = edit_sheet(
        book,
        {
            "Too long": {"status": "hyväksytty", "note": "Lyhennetään"},
            "'=1+1": {"note": "x" * 5001},
        },
        extra=[{"status": "tehty", "note": "A comment of my own"}],
        headers={"status": "Tila", "note": "Huomautus", "comment id": "Kommentin tunniste"},
    )
    preview = preview_import(session, round_, read_workbook(edited))
    assert preview.language == "fi"
    assert [(p.row, p.kind) for p in preview.problems] == sorted(
        [(row["'=1+1"], "note_too_long"), (row["extra 0"], "no_id")]
    )
    (change,) = preview.changes
    assert (change.row, change.new) == (row["Too long"], ("accepted", "Lyhennetään", ""))
    html = upload(editor, round_.id, edited).get_data(as_text=True)
    assert "Rows to change: 1;" in html


def test_a_file_that_is_no_workbook_gets_a_message_and_changes_nothing(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset, audit_events: Any
) -> None:
    round_ = data.current
    page = editor.get(f"/workspace/rounds/{round_.id}/feedback")
    assert f'href="/workspace/rounds/{round_.id}/feedback/import"' in page.get_data(as_text=True)
    broken = upload(editor, round_.id, b"name,status\nx,accepted\n", "triage.csv")
    assert broken.status_code == 422
    assert "could not be read as an Excel workbook (.xlsx). Nothing was changed." in (
        broken.get_data(as_text=True)
    )
    empty = io.BytesIO()
    openpyxl.Workbook().save(empty)
    other = upload(editor, round_.id, empty.getvalue())
    assert other.status_code == 422
    assert "no sheet with a comment id and a status column" in other.get_data(as_text=True)
    cut = upload(editor, round_.id, export(editor, round_.id)[:5000])
    assert cut.status_code == 422
    assert audit_events("feedback_imported") == []
    assert {i.status for i in items(session, round_).values()} == {"new"}


def test_an_anonymous_rounds_sheet_adds_only_the_comment_id_and_a_stamp(
    editor: FlaskClient, session: Session, tmp_path: Any
) -> None:
    round_ = analysis_dataset.build(session, tmp_path, anonymous=True).current
    feedback.bring_in_comments(session, round_, actor=SETUP)
    session.commit()
    rows = feedback_rows(export(editor, round_.id))
    assert list(rows[0])[-2:] == ["comment id", "exported state (do not edit)"]
    assert all(re.fullmatch(r"[0-9a-f]{16}", r["exported state (do not edit)"]) for r in rows)
    assert "language" in rows[0] and all(not r["language"] for r in rows)
    edited, _row = edit_sheet(export(editor, round_.id), {"Too long": {"status": "done"}})
    preview = preview_import(fresh(session), round_, read_workbook(edited))
    assert len(preview.changes) == 1


def test_an_expired_upload_is_removed_and_not_applied(
    app: Flask,
    editor: FlaskClient,
    session: Session,
    data: analysis_dataset.Dataset,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    round_ = data.current
    edited, _row = edit_sheet(export(editor, round_.id), {"Too long": {"status": "done"}})
    html = upload(editor, round_.id, edited).get_data(as_text=True)
    kept = Path(app.config["EXPORTS_DIR"]) / import_views.KEPT_DIR
    assert len(list(kept.iterdir())) == 1
    monkeypatch.setattr(import_views, "KEEP_SECONDS", 0)
    reply = confirm(editor, round_.id, html)
    assert reply.headers["Location"].endswith(f"/rounds/{round_.id}/feedback/import")
    assert "upload it again" in editor.get(reply.headers["Location"]).get_data(as_text=True)
    assert items(session, round_)["Too long"].status == "new"
    assert list(kept.iterdir()) == []
