"""jobs.exports: export jobs, their states, and the build with its progress and heartbeat.

On the database the suite runs against (SQLite, or PostgreSQL with TEST_DATABASE_URL), with
the small data set of tests/analysis_dataset.py (three submitted responses of round 0.10).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

import analysis_dataset
import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from builders import SETUP
from surveyapp.analysis import export_rows
from surveyapp.analysis.export_xlsx import write_summary
from surveyapp.errors import InvalidRequest, NotFound
from surveyapp.jobs import exports
from surveyapp.models import ExportJob, Round, User
from surveyapp.services.audit import Actor


@pytest.fixture
def data(session: Session, tmp_path: Path) -> analysis_dataset.Dataset:
    return analysis_dataset.build(session, tmp_path)


@pytest.fixture
def sessions(app: Flask) -> sessionmaker[Session]:
    made: sessionmaker[Session] = app.extensions["sessionmaker"]
    return made


@pytest.fixture
def exports_dir(tmp_path: Path) -> Path:
    return tmp_path / "exports"


def new_job(session: Session, round_: Round, lang: str = "en") -> ExportJob:
    job, created = exports.start_export(session, round_, lang, actor=SETUP)
    session.commit()
    assert created
    return job


def reread(session: Session, job: ExportJob) -> ExportJob:
    session.rollback()
    session.expire_all()
    return session.get_one(ExportJob, job.id)


def ago(seconds: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)


# --- names and states -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("revision", "name"),
    [
        ("0.10", "round-7-0.10-fi.xlsx"),
        ("../../etc/passwd", "round-7-etc_passwd-fi.xlsx"),
        ("2026 spring / draft", "round-7-2026_spring_draft-fi.xlsx"),
        ("...", "round-7-revision-fi.xlsx"),
    ],
)
def test_the_file_name_never_leaves_the_exports_directory(revision: str, name: str) -> None:
    assert exports.file_name(7, revision, "fi") == name


def test_a_new_job_is_queued_with_the_number_of_responses_to_write(
    session: Session, data: analysis_dataset.Dataset
) -> None:
    user = User(email="e@partnership.example", password_hash="x", role="editor")
    session.add(user)
    session.flush()
    job, created = exports.start_export(
        session, data.current, "fi", actor=Actor.from_user(user, "")
    )
    session.commit()
    assert created
    assert (job.status, job.total, job.written, job.language) == ("queued", 3, 0, "fi")
    assert job.file_name == f"round-{data.current.id}-0.10-fi.xlsx"
    assert job.created_by_id == user.id
    assert exports.job_state(job) == "queued"


def test_a_language_the_survey_lacks_is_refused(
    session: Session, data: analysis_dataset.Dataset
) -> None:
    with pytest.raises(InvalidRequest, match="no language 'de'"):
        exports.start_export(session, data.current, "de", actor=SETUP)


def test_while_a_job_goes_on_starting_again_returns_it(
    session: Session, data: analysis_dataset.Dataset
) -> None:
    job = new_job(session, data.current, "fi")
    again, created = exports.start_export(session, data.current, "fi", actor=SETUP)
    assert (again.id, created) == (job.id, False)
    other, created = exports.start_export(session, data.current, "en", actor=SETUP)
    assert created and other.id != job.id


@pytest.mark.parametrize("status", ["queued", "running"])
def test_a_silent_job_is_stopped_and_a_new_start_replaces_it(
    session: Session, data: analysis_dataset.Dataset, status: str
) -> None:
    job = new_job(session, data.current)
    job.status = status
    job.updated_at = ago(exports.STALE_AFTER.total_seconds() - 5)
    assert exports.job_state(job) == status, "a little silence is fine"
    job.updated_at = ago(exports.STALE_AFTER.total_seconds() + 1)
    assert exports.job_state(job) == "stopped"
    session.commit()
    fresh, created = exports.start_export(session, data.current, "en", actor=SETUP)
    session.commit()
    assert created and fresh.id != job.id
    old = reread(session, job)
    assert (old.status, old.failure, exports.job_state(old)) == ("failed", "stopped", "failed")


def test_finished_jobs_are_never_stale(session: Session, data: analysis_dataset.Dataset) -> None:
    job = new_job(session, data.current)
    job.updated_at = ago(86400)
    for status in ("done", "failed"):
        job.status = status
        assert exports.job_state(job) == status


def test_a_job_is_found_only_in_its_own_round(
    session: Session, data: analysis_dataset.Dataset
) -> None:
    job = new_job(session, data.current)
    assert exports.get_job(session, data.current, job.id) is job
    with pytest.raises(NotFound):
        exports.get_job(session, data.previous, job.id)
    with pytest.raises(NotFound):
        exports.get_job(session, data.current, job.id + 1000)


# --- the build ------------------------------------------------------------------------------------


def test_run_export_writes_the_workbook_and_records_it(
    session: Session,
    sessions: sessionmaker[Session],
    exports_dir: Path,
    data: analysis_dataset.Dataset,
) -> None:
    job = new_job(session, data.current, "fi")
    assert exports.run_export(sessions, job.id, exports_dir) == "done"
    done = reread(session, job)
    assert (done.status, done.written, done.total, done.failure) == ("done", 3, 3, "")
    assert done.started_at is not None and done.finished_at is not None
    path = exports.finished_file(done, exports_dir)
    assert path == exports_dir / done.file_name
    book: Any = load_workbook(path, read_only=True)
    feedback = [row[4] for row in book["Feedback"].iter_rows(min_row=2, values_only=True)]
    assert sorted(feedback) == ["'=1+1", "Too long"], "text stays text"
    assert os.listdir(exports_dir) == [done.file_name], "no work file left"


def test_a_job_is_built_once(
    session: Session,
    sessions: sessionmaker[Session],
    exports_dir: Path,
    data: analysis_dataset.Dataset,
) -> None:
    job = new_job(session, data.current)
    assert exports.run_export(sessions, job.id, exports_dir) == "done"
    assert exports.run_export(sessions, job.id, exports_dir) == "failed", "no longer queued"
    assert reread(session, job).status == "done", "and the finished job is left as it was"


def test_an_unexpected_error_is_recorded_on_the_job(
    session: Session,
    sessions: sessionmaker[Session],
    exports_dir: Path,
    data: analysis_dataset.Dataset,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr(exports, "write_summary", broken)
    job = new_job(session, data.current)
    assert exports.run_export(sessions, job.id, exports_dir) == "failed"
    failed = reread(session, job)
    assert (failed.status, failed.failure) == ("failed", "error")
    assert "a bug" in failed.error
    assert exports.finished_file(failed, exports_dir) is None


def test_write_summary_reports_progress_response_by_response(
    session: Session,
    tmp_path: Path,
    data: analysis_dataset.Dataset,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(export_rows, "PROGRESS_EVERY", 1)
    seen: list[tuple[int, int]] = []
    write_summary(
        session, data.current, tmp_path / "x.xlsx", progress=lambda n, t: seen.append((n, t))
    )
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3), (3, 3)]


def test_progress_is_written_at_most_once_a_second_but_always_at_the_ends(
    session: Session, sessions: sessionmaker[Session], data: analysis_dataset.Dataset
) -> None:
    job = new_job(session, data.current)
    job.status = "running"
    session.commit()
    report = exports._Reporter(sessions, job.id)
    report(0, 3)
    assert reread(session, job).written == 0
    report(1, 3)
    assert reread(session, job).written == 0, "a second has not passed"
    report.last -= exports.PROGRESS_SECONDS
    report(2, 3)
    assert reread(session, job).written == 2
    report(3, 3)
    assert (reread(session, job).written, reread(session, job).total) == (3, 3)


def test_other_sessions_see_progress_and_heartbeat_while_the_build_runs(
    session: Session,
    sessions: sessionmaker[Session],
    exports_dir: Path,
    data: analysis_dataset.Dataset,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A slow build: what another worker reads meanwhile, from the database alone."""
    monkeypatch.setattr(exports, "HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setattr(exports, "PROGRESS_SECONDS", 0.0)
    seen: list[tuple[str, int, dt.datetime]] = []

    def slow(
        read: Session, round_: Round, path: Path, lang: str, *, progress: Any, manual: Any
    ) -> Any:
        progress(0, 3)
        progress(2, 3)
        job = reread(session, queued)
        seen.append((job.status, job.written, job.updated_at))
        time.sleep(0.3)
        job = reread(session, queued)
        seen.append((job.status, job.written, job.updated_at))
        return write_summary(read, round_, path, lang)

    monkeypatch.setattr(exports, "write_summary", slow)
    queued = new_job(session, data.current)
    assert exports.run_export(sessions, queued.id, exports_dir) == "done"
    (status, written, before), (_, _, after) = seen
    assert (status, written) == ("running", 2)
    assert after > before, "the heartbeat touched the job while the build was busy"


# --- leftovers of a killed writer -----------------------------------------------------------------


def test_work_files_of_a_killed_writer_are_removed_after_a_day(tmp_path: Path) -> None:
    old_file = tmp_path / ".round-1-0.1-en.xlsx.abc.tmp"
    old_dir = tmp_path / ".round-1-0.1-en.xlsx.def.tmp"
    fresh = tmp_path / ".round-2-0.1-en.xlsx.ghi.tmp"
    kept = tmp_path / "round-1-0.1-en.xlsx"
    old_file.write_bytes(b"half")
    old_dir.mkdir()
    (old_dir / "row-data").write_text("answers")
    fresh.write_bytes(b"being written")
    kept.write_bytes(b"finished")
    day_ago = time.time() - exports.LEFTOVERS_AFTER.total_seconds() - 60
    for path in (old_file, old_dir):
        os.utime(path, (day_ago, day_ago))
    assert exports.remove_leftovers(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, kept.name])
    assert exports.remove_leftovers(tmp_path / "missing") == 0
