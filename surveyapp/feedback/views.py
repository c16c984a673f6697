"""Editors triage every free-text answer and report what was done with the previous round's."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from ..auth.access import actor, role_required
from ..db import get_session
from ..i18n import _
from ..jobs import downloads
from ..models import FEEDBACK_STATUSES, Round
from ..services import feedback, feedback_queue, rounds
from ..services.feedback import FeedbackRow
from ..web.csv_download import csv_download
from ..web.lookups import chapter_titles, manual, round_or_404, writing_session
from ..web.round_pages import render_round_page
from .forms import STATUS_NAMES, BulkForm, query_args, queue_query

# Keys, not translated words, like the other CSV downloads: a spreadsheet can rely on them.
CSV_HEADER = [
    "chapter",
    "chapter_title",
    "section",
    "question",
    "answer",
    "language",
    "group",
    "status",
    "note",
    "addressed_in_revision",
]
bp = Blueprint("feedback", __name__, url_prefix="/workspace", template_folder="templates")


@bp.after_request
def _no_store(response: Response) -> Response:
    # Free-text answers may name people: no browser or proxy keeps these pages.
    response.headers["Cache-Control"] = "no-store"
    return response


def _lang() -> str:
    return str(get_locale() or "en")


def _filters(round_: Round) -> dict[str, str]:
    """The page's filters and sort as URL parameters (for links back to the same view)."""
    query = queue_query(request.args, _chapters(round_), round_.is_anonymous)
    return {k: str(v) for k, v in query_args(query).items()}


def _chapters(round_: Round) -> list[str]:
    """The round's chapters in the manual's order."""
    survey = rounds.round_survey(round_)
    return manual().chapter_order(
        (s.chapter for s in survey.sections if s.chapter), round_.revision
    )


@bp.get("/rounds/<id:round_id>/feedback")
@role_required("editor")
def triage(round_id: int) -> ResponseReturnValue:
    round_ = round_or_404(round_id)
    db = get_session()  # a GET only reads: submitting adds the items
    chapters = _chapters(round_)
    query = queue_query(request.args, chapters, round_.is_anonymous)
    languages, groups = feedback_queue.filter_values(db, round_)
    return render_round_page(
        "feedback/triage.html",
        round_,
        found=feedback_queue.items_page(db, round_, query, lang=_lang()),
        query=query,
        args={k: v for k, v in query_args(query).items() if k != "page"},
        choices={"chapter": chapters, "language": languages, "group": groups},
        statuses=FEEDBACK_STATUSES,
        status_names=STATUS_NAMES,
        chapter_names=chapter_titles(_lang(), round_.revision),
        waiting=feedback.comments_waiting(db, round_),
    )


@bp.post("/rounds/<id:round_id>/feedback")
@role_required("editor")
def bulk_update(round_id: int) -> ResponseReturnValue:
    """One status (and note, revision) for the rows selected on a page of the triage."""
    round_ = round_or_404(round_id)
    form = BulkForm()
    if not form.validate_on_submit() or not form.item.data:
        flash(_("Nothing was saved: %(problems)s", problems=_problems(form)))
    else:
        db = writing_session()
        values = {"note": form.note.data, "addressed_in_revision": form.addressed_in_revision.data}
        changed = feedback_queue.update_items(
            db, round_, form.item.data, status=form.status.data, **values, actor=actor()
        )
        db.commit()
        flash(_("Feedback items saved: %(num)d.", num=changed))
    back: dict[str, Any] = {"round_id": round_.id, **_filters(round_)}
    return redirect(url_for("feedback.triage", **back), code=303)


def _problems(form: BulkForm) -> str:
    found = [str(m) for errors in form.errors.values() for m in errors]
    return " ".join(found) if found else str(_("Select at least one comment."))


@bp.post("/rounds/<id:round_id>/feedback/bring-in")
@role_required("editor")
def bring_in(round_id: int) -> ResponseReturnValue:
    """Items for comments submitted before submitting added them (rounds of older versions)."""
    round_ = round_or_404(round_id)
    db = writing_session()
    added = feedback.bring_in_comments(db, round_, actor=actor())
    db.commit()
    flash(_("Comments brought in: %(num)d.", num=added))
    return redirect(url_for("feedback.triage", round_id=round_.id), code=303)


def _report(round_: Round) -> feedback.YouSaidWeDid | None:
    return feedback.you_said_we_did(
        get_session(), round_.survey_id, round_.revision, lang=_lang(), manual=manual()
    )


@bp.get("/rounds/<id:round_id>/you-said-we-did")
@role_required("editor")
def you_said_we_did(round_id: int) -> ResponseReturnValue:
    round_ = round_or_404(round_id)
    report = _report(round_)
    return render_round_page(
        "feedback/you_said_we_did.html",
        round_,
        report=report,
        status_names=STATUS_NAMES,
        chapter_names=chapter_titles(_lang(), report.round.revision if report else None),
    )


@bp.get("/rounds/<id:round_id>/you-said-we-did.csv")
@role_required("editor")
def you_said_we_did_csv(round_id: int) -> ResponseReturnValue:
    round_ = round_or_404(round_id)
    db = writing_session()  # the download is recorded
    report = downloads.feedback_report(db, round_, _lang(), actor=actor(), manual=manual())
    db.commit()
    chapters = report.chapters if report else []
    titles = chapter_titles(_lang(), report.round.revision if report else None)
    cells = (_csv_row(row, titles) for _chapter, items in chapters for row in items)
    return csv_download(f"round-{round_.id}-you-said-we-did.csv", CSV_HEADER, cells)


def _csv_row(row: FeedbackRow, titles: dict[str, str]) -> list[str]:
    return [
        row.chapter or "",
        titles.get(row.chapter, row.chapter) if row.chapter else "",
        row.section,
        row.question,
        row.answer,
        row.language or "",
        row.group or "",
        row.status,
        row.note,
        row.revision or "",
    ]
