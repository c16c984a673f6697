"""Triage from Excel: upload the round's edited workbook, see what would change by sheet
row, and confirm to apply it (services.feedback_import).

Between the preview and the confirmation the upload is kept under EXPORTS_DIR (shared by
the workers) as `feedback-imports/<round>-<account>-<random token>.xlsx`: only the account
that uploaded it can apply it, to the same round. A kept file goes when it is applied; the
import's pages remove those older than KEEP_SECONDS, and the oldest beyond MAX_KEPT.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from ..auth.access import actor, role_required
from ..db import get_session
from ..files import write_atomically
from ..i18n import _, _l
from ..models import Round
from ..services.feedback_import import RowProblem, apply_import, preview_import
from ..services.feedback_workbook import UnreadableWorkbook, read_workbook
from ..web.lookups import round_or_404, writing_session
from ..web.round_pages import render_round_page
from .forms import STATUS_NAMES
from .views import bp

KEPT_DIR = "feedback-imports"
KEEP_SECONDS = 3600
MAX_KEPT = 50
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
PROBLEM_TEXTS = {
    "no_id": _l("No comment id: the comment is not in triage yet."),
    "unknown_id": _l("Comment id %(value)s is not a comment of this round."),
    "repeated_id": _l("Comment id %(value)s is on an earlier row too; this row is skipped."),
    "invalid_status": _l("“%(value)s” is not a status."),
    "note_too_long": _l("The note is too long (%(value)s characters)."),
    "revision_too_long": _l("The revision is too long."),
}
READ_ERRORS = {
    "not_xlsx": _l("The file could not be read as an Excel workbook (.xlsx). Nothing was changed."),
    "no_sheet": _l(
        "The workbook has no sheet with a comment id and a status column: upload the Excel "
        "summary of this round. Nothing was changed."
    ),
}


class UploadForm(FlaskForm):  # type: ignore[misc]  # flask_wtf is untyped
    file = FileField(_l("Excel workbook"), validators=[FileRequired(_l("Choose a file."))])


def _max_mb() -> str:
    return f"{(current_app.config['MAX_CONTENT_LENGTH'] or 0) / (1024 * 1024):g}"


def _page(round_: Round, form: UploadForm, error: str = "", code: int = 200) -> ResponseReturnValue:
    page = render_round_page(
        "feedback/import.html", round_, form=form, error=error, max_mb=_max_mb()
    )
    return page, code


@bp.get("/rounds/<id:round_id>/feedback/import")
@role_required("editor")
def import_form(round_id: int) -> ResponseReturnValue:
    # A GET changes nothing: expired uploads go when the next upload or confirmation comes.
    return _page(round_or_404(round_id), UploadForm(formdata=None))


@bp.post("/rounds/<id:round_id>/feedback/import")
@role_required("editor")
def import_preview(round_id: int) -> ResponseReturnValue:
    """Read the upload and show what it would change; nothing is written to the database."""
    round_ = round_or_404(round_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(round_, form, code=422)
    data = form.file.data.read()
    try:
        read = read_workbook(data)
    except UnreadableWorkbook as error:
        return _page(round_, form, str(READ_ERRORS[error.reason]), 422)
    preview = preview_import(get_session(), round_, read)
    token = _keep(data, round_.id) if preview.changes else ""
    return render_round_page(
        "feedback/import_preview.html",
        round_,
        preview=preview,
        problems=[(p.row, problem_text(p)) for p in preview.problems],
        status_names=STATUS_NAMES,
        token=token,
    )


@bp.post("/rounds/<id:round_id>/feedback/import/apply")
@role_required("editor")
def import_apply(round_id: int) -> ResponseReturnValue:
    """Apply the kept upload, checked again now: conflicts are skipped, never written."""
    round_ = round_or_404(round_id)
    _prune(_directory())
    path = _kept(request.form.get("token", ""), round_.id)
    if path is None:
        flash(_("The uploaded workbook is no longer kept: upload it again."))
        return redirect(url_for("feedback.import_form", round_id=round_.id), code=303)
    try:
        read = read_workbook(path.read_bytes())
    except (UnreadableWorkbook, OSError):
        flash(_("The uploaded workbook is no longer kept: upload it again."))
        return redirect(url_for("feedback.import_form", round_id=round_.id), code=303)
    db = writing_session()
    result = apply_import(db, round_, read, actor=actor())
    db.commit()
    path.unlink(missing_ok=True)
    flash(_("Feedback items changed from the workbook: %(num)d.", num=len(result.changes)))
    if result.conflicts:
        rows = ", ".join(str(c.row) for c in result.conflicts)
        flash(
            _("Not changed, because they were changed after the export: rows %(rows)s.", rows=rows)
        )
    return redirect(url_for("feedback.triage", round_id=round_.id), code=303)


def problem_text(problem: RowProblem) -> str:
    return str(PROBLEM_TEXTS[problem.kind]) % {"value": problem.value}


def _directory() -> Path:
    return Path(current_app.config["EXPORTS_DIR"]) / KEPT_DIR


def _name(round_id: int, token: str) -> str:
    return f"{round_id}-{actor().user_id or 0}-{token}.xlsx"


def _keep(data: bytes, round_id: int) -> str:
    """Keep an upload for its confirmation; returns the token that finds it again."""
    _prune(_directory())
    token = secrets.token_urlsafe(24)
    write_atomically(_directory() / _name(round_id, token), data)
    return token


def _kept(token: str, round_id: int) -> Path | None:
    """The kept upload of `token`, if this account uploaded it for this round and it has
    not expired."""
    if not TOKEN.fullmatch(token):
        return None
    path = _directory() / _name(round_id, token)
    try:
        fresh = time.time() - path.stat().st_mtime < KEEP_SECONDS
    except OSError:
        return None
    return path if fresh else None


def _prune(directory: Path) -> None:
    """Remove expired uploads, and the oldest beyond MAX_KEPT - 1 (room for one more)."""
    if not directory.is_dir():
        return
    files = sorted(directory.glob("*.xlsx"), key=_age)  # the newest first
    for number, path in enumerate(files):
        if number >= MAX_KEPT - 1 or _age(path) > KEEP_SECONDS:
            path.unlink(missing_ok=True)


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return float("inf")
