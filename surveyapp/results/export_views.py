"""The Excel summary of a round, built in the background: start it, follow it, download it.

No request waits for the workbook: the POST creates an export job, commits, starts the build
in a background thread (with its own sessions) and redirects to the job's page, which
refreshes itself while the job runs (a meta refresh: no script needed) and then offers the
file. The job lives in the database, so any worker can serve these pages. With
EXPORT_INLINE set (tests), the build runs inside the POST.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, redirect, request, send_file, url_for
from flask.typing import ResponseReturnValue

from ..auth.access import actor, role_required
from ..db import get_session
from ..i18n import _l
from ..jobs import downloads, exports
from ..jobs.runner import run_in_background
from ..models import ExportJob, Round
from ..web.lookups import round_or_404, writing_session
from ..web.round_pages import render_round_page
from .blueprint import bp, survey_lang

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FAILURES = {
    "disk_full": _l(
        "The server's disk is full, so the file could not be written. Nothing was kept of it. "
        "Ask the administrator to free some space, then try again."
    ),
    "write_failed": _l(
        "The file could not be written on the server. Nothing was kept of it. Try again, or "
        "ask the administrator to check the exports directory."
    ),
    "error": _l(
        "Preparing the file failed; the reason is in the server's log. Try again, or ask the "
        "administrator."
    ),
    "stopped": _l(
        "Preparing the file stopped before the end, for example because the server restarted. "
        "Try again."
    ),
}


def _exports_dir() -> Path:
    return Path(current_app.config["EXPORTS_DIR"])


@bp.get("/rounds/<id:round_id>/export")
@role_required("editor")
def download(round_id: int) -> ResponseReturnValue:
    """The Excel summary's page: choose a language and prepare it; the recent exports.

    Named `download` because the round page links here by that name.
    """
    round_ = round_or_404(round_id)
    return render_round_page(
        "results/export.html",
        round_,
        lang=survey_lang(round_),
        jobs=_job_rows(round_),
    )


@bp.post("/rounds/<id:round_id>/export")
@role_required("editor")
def start_export(round_id: int) -> ResponseReturnValue:
    db = get_session()
    round_ = round_or_404(round_id)
    lang = survey_lang(round_)
    job, created = exports.start_export(db, round_, lang, actor=actor())
    db.commit()
    if created:
        _start_building(job.id)
    return redirect(url_for(".export_job", round_id=round_.id, job_id=job.id), code=303)


@bp.get("/rounds/<id:round_id>/export/<id:job_id>")
@role_required("editor")
def export_job(round_id: int, job_id: int) -> ResponseReturnValue:
    round_ = round_or_404(round_id)
    job = exports.get_job(get_session(), round_, job_id)
    state = exports.job_state(job)
    # WCAG 2.2.1: whoever the refreshing disturbs (a screen reader, say) can turn it off.
    refresh = state in exports.ACTIVE and request.args.get("refresh") != "0"
    return render_round_page(
        "results/export_job.html",
        round_,
        job=job,
        state=state,
        refresh=refresh,
        ready=exports.finished_file(job, _exports_dir()) is not None,
        failure=FAILURES.get("stopped" if state == "stopped" else job.failure),
    )


@bp.get("/rounds/<id:round_id>/export/<id:job_id>/file")
@role_required("editor")
def export_file(round_id: int, job_id: int) -> ResponseReturnValue:
    """A finished job's file; anything else goes to the job's page, which says why."""
    db = writing_session()  # the download is audited
    round_ = round_or_404(round_id)
    job = exports.get_job(db, round_, job_id)
    path = downloads.export_file(db, job, _exports_dir(), actor=actor())
    if path is None:
        return redirect(url_for(".export_job", round_id=round_.id, job_id=job.id), code=303)
    db.commit()
    response = send_file(path.resolve(), mimetype=XLSX, as_attachment=True, download_name=path.name)
    response.headers["Cache-Control"] = "no-store"
    return response


def _start_building(job_id: int) -> None:
    """Build the job's file in the background (run_export records failures on the job)."""
    run_in_background(f"export-{job_id}", exports.build_for_app, job_id, inline="EXPORT_INLINE")


def _job_rows(round_: Round) -> list[tuple[ExportJob, str]]:
    """The round's recent export jobs with their states, newest first."""
    return [(job, exports.job_state(job)) for job in exports.recent_jobs(get_session(), round_)]
