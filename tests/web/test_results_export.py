"""The Excel summary built in the background: start, progress page, download, restart.

The small data set of tests/analysis_dataset.py: three submitted responses of round 0.10.
Most tests build inline (EXPORT_INLINE, the build runs inside the POST); the ones marked
so start the real background thread and follow the progress page like a browser.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import analysis_dataset
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP, assert_by_account, workspace_token
from surveyapp import create_app
from surveyapp.analysis.export_xlsx import SHEETS
from surveyapp.analysis.sheet_layout import headers
from surveyapp.jobs import exports
from surveyapp.models import AuditEvent, ExportJob, Round
from surveyapp.services.feedback_sheet import translate

Maker = Callable[..., Any]
REFRESH = '<meta http-equiv="refresh" content="2">'


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return app_config | {"EXPORT_INLINE": True}


def start(client: FlaskClient, round_id: int, lang: str | None = "fi", **kwargs: Any) -> Any:
    data = {"csrf_token": workspace_token(client)}
    if lang is not None:
        data["lang"] = lang
    return client.post(f"/workspace/rounds/{round_id}/export", data=data, **kwargs)


def job_page(client: FlaskClient, location: str) -> str:
    response = client.get(location)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)


def download_link(html: str) -> str | None:
    found = re.search(r'<a class="button" href="([^"]+/file)" download>', html)
    return found.group(1) if found else None


def jobs(session: Session) -> list[ExportJob]:
    session.rollback()
    session.expire_all()  # the test's own objects too: the server has changed them
    return list(session.scalars(select(ExportJob).order_by(ExportJob.id)))


def queued_job(session: Session, round_id: int, lang: str = "en") -> ExportJob:
    """A job that nothing builds: the page of a job still waiting or running."""
    round_ = session.get_one(Round, round_id)
    job, _ = exports.start_export(session, round_, lang, actor=SETUP)
    session.commit()
    return job


# --- the whole way ------------------------------------------------------------------------------


def test_start_then_progress_page_then_the_file(
    app: Flask, editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    response = start(editor, data.current.id, "fi")
    assert response.status_code == 303
    (job,) = jobs(session)
    assert response.headers["Location"] == f"/workspace/rounds/{data.current.id}/export/{job.id}"
    assert (job.status, job.written, job.total, job.language) == ("done", 3, 3, "fi")

    html = job_page(editor, response.headers["Location"])
    assert "The Excel summary is ready: 3 responses." in html
    assert REFRESH not in html, "a finished job's page stays still"
    link = download_link(html)
    assert link == f"/workspace/rounds/{data.current.id}/export/{job.id}/file"

    file = editor.get(link)
    assert file.status_code == 200
    assert file.headers["Cache-Control"] == "no-store"
    assert file.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = file.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"round-{data.current.id}-0.10-fi.xlsx" in disposition
    book = load_workbook(io.BytesIO(file.get_data()), read_only=True)
    assert book.sheetnames == list(SHEETS)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(max_row=13, values_only=True)}
    assert summary["Vastanneet"] == 3 and summary["Kieli"] == "fi", "labelled in Finnish"
    saved = Path(app.config["EXPORTS_DIR"]) / f"round-{data.current.id}-0.10-fi.xlsx"
    assert saved.read_bytes() == file.get_data()
    assert [p.name for p in saved.parent.iterdir()] == [saved.name], "no work file left"


def test_starting_and_downloading_are_audited(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    location = start(editor, data.current.id).headers["Location"]
    link = download_link(job_page(editor, location))
    assert link and editor.get(link).status_code == 200
    session.rollback()
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    exported = [(e.action, e.target) for e in events if e.action.startswith("export")]
    target = f"round {data.current.id}"
    assert exported == [("export", target), ("export_downloaded", target)]
    for event_ in events:
        if event_.action.startswith("export"):
            assert_by_account(session, event_, "editor")


def test_an_unknown_language_falls_back_to_the_surveys_first(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    start(editor, data.current.id, "de")
    start(editor, data.current.id, None)
    assert [j.language for j in jobs(session)] == ["en", "en"]


def test_coordinators_may_export_too(
    app: Flask, login: Maker, session: Session, data: analysis_dataset.Dataset
) -> None:
    client = app.test_client()
    login(client, "coordinator")
    assert start(client, data.current.id).status_code == 303
    assert [j.status for j in jobs(session)] == ["done"]


# --- while it runs, and when it stops -----------------------------------------------------------


def test_a_running_job_shows_how_far_it_has_got_and_refreshes_itself(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    job = queued_job(session, data.current.id)
    job.status, job.written = "running", 2
    session.commit()
    url = f"/workspace/rounds/{data.current.id}/export/{job.id}"
    html = job_page(editor, url)
    assert "Preparing the file: 2 of 3 responses written." in html
    assert '<progress id="export-progress" max="3" value="2">' in html
    assert REFRESH in html
    assert f'href="{url}?refresh=0"' in html, "the refreshing can be turned off (WCAG 2.2.1)"
    still = job_page(editor, f"{url}?refresh=0")
    assert REFRESH not in still and "2 of 3 responses written" in still
    assert download_link(html) is None
    file = editor.get(f"{url}/file")
    assert file.status_code == 303 and file.headers["Location"] == url, "no file before the end"


def test_a_double_click_starts_one_job(
    app: Flask, editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    job = queued_job(session, data.current.id, "fi")
    response = start(editor, data.current.id, "fi")
    assert response.headers["Location"].endswith(f"/export/{job.id}")
    assert len(jobs(session)) == 1
    assert start(editor, data.current.id, "en").status_code == 303
    assert len(jobs(session)) == 2, "another language is another file"


def test_a_job_whose_worker_died_is_shown_as_failed_and_can_be_restarted(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    job = queued_job(session, data.current.id, "fi")
    job.status = "running"
    job.updated_at = dt.datetime.now(dt.UTC) - exports.STALE_AFTER - dt.timedelta(seconds=1)
    session.commit()
    html = job_page(editor, f"/workspace/rounds/{data.current.id}/export/{job.id}")
    assert "stopped before the end" in html and 'role="alert"' in html
    assert REFRESH not in html
    again = re.search(
        r'<form method="post" action="([^"]+)" class="actions">(.*?)</form>', html, re.S
    )
    assert again and again.group(1) == f"/workspace/rounds/{data.current.id}/export"
    assert '<input name="lang" type="hidden" value="fi">' in again.group(2)
    assert "Try again" in again.group(2)

    response = start(editor, data.current.id, "fi")
    old, new = jobs(session)
    assert response.headers["Location"].endswith(f"/export/{new.id}")
    assert (old.status, old.failure) == ("failed", "stopped")
    assert new.status == "done"


def test_the_file_of_a_finished_job_that_was_removed_is_offered_again(
    app: Flask, editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    location = start(editor, data.current.id, "fi").headers["Location"]
    (Path(app.config["EXPORTS_DIR"]) / f"round-{data.current.id}-0.10-fi.xlsx").unlink()
    html = job_page(editor, location)
    assert "no longer on the server" in html and download_link(html) is None
    assert editor.get(f"{location}/file").status_code == 303


def test_the_export_page_lists_recent_jobs_with_their_states(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    start(editor, data.current.id, "fi")
    queued_job(session, data.current.id, "en")
    html = job_page(editor, f"/workspace/rounds/{data.current.id}/export?lang=sv")
    assert '<option value="sv" selected>' in html
    rows = re.findall(
        r"<tr>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>", html
    )
    # `?lang=` is also the visitor's interface choice (i18n.remember_choice): the page is Swedish.
    assert rows == [("English", "0 av 3 svar har skrivits"), ("suomi", "klar")]


# --- who may reach what ---------------------------------------------------------------------------


def test_a_job_is_reached_only_through_its_own_round(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    location = start(editor, data.current.id).headers["Location"]
    elsewhere = location.replace(f"/rounds/{data.current.id}/", f"/rounds/{data.previous.id}/")
    assert editor.get(elsewhere).status_code == 404
    assert editor.get(f"{elsewhere}/file").status_code == 404
    assert editor.get(f"/workspace/rounds/{data.current.id}/export/999999").status_code == 404


@pytest.mark.parametrize("suffix", ["", "/file"])
def test_anonymous_visitors_are_sent_to_log_in(
    app: Flask, editor: FlaskClient, data: analysis_dataset.Dataset, suffix: str
) -> None:
    location = start(editor, data.current.id).headers["Location"]
    response = app.test_client().get(location + suffix)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_starting_needs_the_form_token(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    response = editor.post(f"/workspace/rounds/{data.current.id}/export", data={"lang": "fi"})
    assert response.status_code == 400
    assert jobs(session) == []


# --- the real background thread -------------------------------------------------------------------


def follow(client: FlaskClient, location: str, seconds: float = 30) -> str:
    """Reload the progress page as its meta refresh would, until it stops refreshing."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        html = job_page(client, location)
        if REFRESH not in html:
            return html
        time.sleep(0.1)
    raise AssertionError(f"{location} still refreshing after {seconds} s")


def test_the_build_runs_in_the_background_and_any_worker_shows_its_progress(
    app: Flask, app_config: dict[str, Any], editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    app.config["EXPORT_INLINE"] = False
    location = start(editor, data.current.id, "sv").headers["Location"]
    # Another worker: an app of its own (own engine and pool), the same database and cookie.
    other = create_app(app_config | {"EXPORT_INLINE": False})
    try:
        client = other.test_client()
        cookie = editor.get_cookie("session")
        assert cookie is not None
        client.set_cookie("session", cookie.value)
        html = follow(client, location)
        assert "The Excel summary is ready: 3 responses." in html
        link = download_link(html)
        assert link
        book = load_workbook(io.BytesIO(client.get(link).get_data()), read_only=True)
        codebook = {r[0]: r[4] for r in book["Codebook"].iter_rows(values_only=True)}
        assert codebook["role"] == "Din roll"
    finally:
        other.extensions["engine"].dispose()


def test_the_downloaded_summary_of_an_anonymous_round_has_drawn_numbers_and_dates_only(
    editor: FlaskClient, session: Session, tmp_path: Path
) -> None:
    anonymous = analysis_dataset.build(session, tmp_path, anonymous=True).current
    link = download_link(job_page(editor, start(editor, anonymous.id).headers["Location"]))
    assert link
    book = load_workbook(io.BytesIO(editor.get(link).get_data()), read_only=True)
    head, *rows = list(book["Responses"].iter_rows(values_only=True))
    lang = book["Summary"]["B13"].value  # the export's language, as the Summary sheet says
    assert head[:2] == tuple(headers(["response_id", "submitted_at"], lang))
    assert translate("language", lang) not in head
    assert sorted(row[0] for row in rows) == [1, 2, 3]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[1]) for row in rows)
    feedback = list(book["Feedback"].iter_rows(min_row=2, values_only=True))
    assert len(feedback) == 2 and all(row[5] in (None, "") for row in feedback), "no language"
