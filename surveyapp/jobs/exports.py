"""Excel summaries built in the background: export jobs, their progress, and the build itself.

A big round takes minutes to write, longer than a web request may wait, so the dashboard
starts a job and its progress page follows it. Everything about a job is in the database
(any worker may serve the page): the build updates `written` as it goes and touches
`updated_at` every few seconds while it lives, so a job whose worker died is told apart
from a slow one. The file is written beside its final name and renamed into place only when
complete (files.replacing), so a failure never leaves half a file behind.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import Update, select, update
from sqlalchemy.orm import Session

from .. import files
from ..analysis.export_xlsx import write_summary
from ..analysis.tidy import submitted_count
from ..db import utcnow
from ..definitions import Manual
from ..errors import InvalidRequest, NotFound
from ..models import ExportJob, Round
from ..services.audit import Actor, record
from ..services.rounds import as_utc, round_survey

log = logging.getLogger(__name__)

# A queued or running job with no sign of life for this long has lost its worker.
STALE_AFTER = dt.timedelta(minutes=2)
HEARTBEAT_SECONDS = 10.0
# Progress is written at most this often (a write per response would slow the build down).
PROGRESS_SECONDS = 1.0
# Work files of a writer killed outright (no chance to clean up) are removed after this long;
# no export of a live process takes that long.
LEFTOVERS_AFTER = dt.timedelta(days=1)
ACTIVE = ("queued", "running")
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)

Sessions = Callable[[], Session]


def file_name(round_id: int, revision: str, lang: str, suffix: str = "xlsx") -> str:
    """round-<id>-<revision>-<lang>.xlsx (or another suffix), the revision made file-name
    safe."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", revision).strip("._") or "revision"
    return f"round-{round_id}-{safe}-{lang}.{suffix}"


def _utc(moment: dt.datetime) -> dt.datetime:
    return as_utc(moment) or moment


def is_stale(job: ExportJob, now: dt.datetime | None = None) -> bool:
    """Queued or running, but silent for longer than STALE_AFTER: its worker is gone."""
    return job.status in ACTIVE and (now or utcnow()) - _utc(job.updated_at) >= STALE_AFTER


def job_state(job: ExportJob, now: dt.datetime | None = None) -> str:
    """'queued', 'running', 'done', 'failed', or 'stopped' (a job whose worker died)."""
    return "stopped" if is_stale(job, now) else job.status


def start_export(
    session: Session, round_: Round, lang: str, *, actor: Actor
) -> tuple[ExportJob, bool]:
    """A new queued job for the round's summary in `lang` (audited), and True; or, while one
    for the same round and language is still going on (a double click), that one and False."""
    if lang not in round_survey(round_).languages:
        raise InvalidRequest(f"the survey has no language {lang!r}")
    # Lock the round so that two clicks make one job (SQLite locks at BEGIN already).
    session.execute(select(Round.id).where(Round.id == round_.id).with_for_update())
    now = utcnow()
    for job in _active_jobs(session, round_.id, lang):
        if not is_stale(job, now):
            return job, False
        job.status, job.failure, job.finished_at = "failed", "stopped", now
    job = ExportJob(
        round_id=round_.id,
        language=lang,
        total=submitted_count(session, round_.id),
        file_name=file_name(round_.id, round_.revision, lang),
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    session.flush()
    detail = f"xlsx in {lang}: export {job.id} of {job.total} responses"
    record(session, "export", actor=actor, target=f"round {round_.id}", detail=detail)
    return job, True


def _active_jobs(session: Session, round_id: int, lang: str) -> list[ExportJob]:
    query = select(ExportJob).where(
        ExportJob.round_id == round_id,
        ExportJob.language == lang,
        ExportJob.status.in_(ACTIVE),
    )
    return list(session.scalars(query.order_by(ExportJob.id.desc())))


def get_job(session: Session, round_: Round, job_id: int) -> ExportJob:
    """The round's export job with this id, or NotFound."""
    job = session.get(ExportJob, job_id)
    if job is None or job.round_id != round_.id:
        raise NotFound(f"there is no export {job_id} of round {round_.id}")
    return job


def recent_jobs(session: Session, round_: Round, limit: int = 10) -> list[ExportJob]:
    query = select(ExportJob).where(ExportJob.round_id == round_.id)
    return list(session.scalars(query.order_by(ExportJob.id.desc()).limit(limit)))


def finished_file(job: ExportJob, exports_dir: Path | str) -> Path | None:
    """The file of a finished job, or None (not finished, or removed from the disk since)."""
    if job.status != "done":
        return None
    path = Path(exports_dir) / job.file_name
    return path if path.is_file() else None


# --- the build (started by jobs.runner: a background thread, or the request with EXPORT_INLINE)


def build_for_app(job_id: int) -> str:
    """run_export with the current app's sessions and EXPORTS_DIR: what the runner starts."""
    sessions = current_app.extensions["sessionmaker"]
    manual = current_app.extensions["surveys"].manual
    return run_export(sessions, job_id, current_app.config["EXPORTS_DIR"], manual)


def run_export(
    sessions: Sessions, job_id: int, exports_dir: Path | str, manual: Manual | None = None
) -> str:
    """Build the job's workbook; returns the job's final status ('done' or 'failed').
    Chapters are titled and compared by `manual` (none: by their ids).

    Unlike the services, this commits, through sessions of its own from `sessions` (a
    sessionmaker): progress must be visible to other workers while the build goes on.
    Nothing is raised: a failure is recorded on the job (and logged) for its page to show.
    """
    if not _claim(sessions, job_id):
        return "failed"  # another run has it, or it was given up as stopped
    remove_leftovers(Path(exports_dir))
    with _heartbeat(sessions, job_id):
        try:
            written = _build(sessions, job_id, Path(exports_dir), manual)
        except OSError as error:
            kind = "disk_full" if error.errno in DISK_FULL else "write_failed"
            log.warning("export %s could not be written: %s", job_id, error)
            return _end(sessions, job_id, "failed", failure=kind, error=str(error))
        except Exception as error:
            log.exception("export %s failed", job_id)
            return _end(sessions, job_id, "failed", failure="error", error=repr(error))
    return _end(sessions, job_id, "done", written=written)


@contextmanager
def _writing(sessions: Sessions) -> Iterator[Session]:
    """One short write transaction of its own, committed on leaving."""
    with sessions() as session, session.begin():
        session.connection(execution_options={"sqlite_immediate": True})
        yield session


def _set(sessions: Sessions, statement: Update) -> bool:
    with _writing(sessions) as session:
        return bool(session.connection().execute(statement).rowcount == 1)


def _claim(sessions: Sessions, job_id: int) -> bool:
    """Mark the queued job running; False if it is not queued any more."""
    now = utcnow()
    statement = (
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.status == "queued")
        .values(status="running", started_at=now, updated_at=now)
    )
    return _set(sessions, statement)


def _build(sessions: Sessions, job_id: int, exports_dir: Path, manual: Manual | None) -> int:
    """Write the workbook from one consistent read of the round; returns responses written."""
    with sessions() as read:
        options: dict[str, object] = {"sqlite_immediate": False}  # a reader: no write lock
        if read.get_bind().dialect.name == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"  # every sheet from one snapshot
        read.connection(execution_options=options)
        job = read.get_one(ExportJob, job_id)
        round_ = read.get_one(Round, job.round_id)
        path = exports_dir / job.file_name
        reporter = _Reporter(sessions, job_id)
        written = write_summary(read, round_, path, job.language, progress=reporter, manual=manual)
        return written.submitted


class _Reporter:
    """write_summary's progress callback: writes `written` to the job, at most once a second."""

    def __init__(self, sessions: Sessions, job_id: int) -> None:
        self.sessions, self.job_id, self.last = sessions, job_id, 0.0

    def __call__(self, written: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_SECONDS and written not in (0, total):
            return
        self.last = now
        statement = (
            update(ExportJob)
            .where(ExportJob.id == self.job_id, ExportJob.status == "running")
            .values(written=written, total=total, updated_at=utcnow())
        )
        _set(self.sessions, statement)


@contextmanager
def _heartbeat(sessions: Sessions, job_id: int) -> Iterator[None]:
    """Touch the running job every HEARTBEAT_SECONDS until the block ends.

    Figures and the Feedback sheet of a big round take a while before any response is
    written; the heartbeat keeps the job from looking stopped meanwhile. Its thread is part
    of the build, not a way to start work, so it is not started through jobs.runner.
    """
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            statement = (
                update(ExportJob)
                .where(ExportJob.id == job_id, ExportJob.status == "running")
                .values(updated_at=utcnow())
            )
            try:
                _set(sessions, statement)
            except Exception:  # a missed beat is no reason to stop the build
                log.exception("the heartbeat of export %s failed", job_id)

    thread = threading.Thread(target=beat, name=f"export-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _end(
    sessions: Sessions,
    job_id: int,
    status: str,
    *,
    written: int | None = None,
    failure: str = "",
    error: str = "",
) -> str:
    now = utcnow()
    values: dict[str, object] = {"status": status, "failure": failure, "error": error}
    values |= {"finished_at": now, "updated_at": now}
    if written is not None:
        values |= {"written": written, "total": written}
    _set(sessions, update(ExportJob).where(ExportJob.id == job_id).values(**values))
    return status


def remove_leftovers(exports_dir: Path, now: float | None = None) -> int:
    """Remove the work files a killed writer left in `exports_dir` (see files.replacing) once
    they are older than LEFTOVERS_AFTER; returns how many there were."""
    return files.remove_leftovers(exports_dir, LEFTOVERS_AFTER.total_seconds(), now)
