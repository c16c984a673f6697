"""Editors triage every free-text answer and report what was done with the previous round's."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from ..auth.access import actor, role_required
from ..db import get_session
from ..i18n import _
from ..jobs import downloads
from ..models import FEEDBACK_STATUSES, FeedbackItem, Round
from ..services import feedback, rounds
from ..services.feedback import FeedbackRow
from ..web.csv_download import csv_download
from ..web.lookups import chapter_titles, manual, round_or_404, writing_session
from ..web.round_pages import render_round_page
from .forms import STATUS_NAMES, FeedbackForm

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
    """The page's status and chapter filters, keeping only values that exist."""
    chapters = _chapters(round_)
    status, chapter = request.args.get("status", ""), request.args.get("chapter", "")
    found = {"status": status if status in FEEDBACK_STATUSES else ""}
    found["chapter"] = chapter if chapter in chapters else ""
    return {k: v for k, v in found.items() if v}


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
    filters = _filters(round_)
    items = feedback.list_items(db, round_, lang=_lang(), **filters)
    return render_round_page(
        "feedback/triage.html",
        round_,
        items=items,
        filters=filters,
        chapters=_chapters(round_),
        statuses=FEEDBACK_STATUSES,
        status_names=STATUS_NAMES,
        chapter_names=chapter_titles(_lang(), round_.revision),
    )


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


@bp.post("/feedback/<id:item_id>")
@role_required("editor")
def update(item_id: int) -> ResponseReturnValue:
    item = get_session().get(FeedbackItem, item_id)
    if item is None:
        abort(404)
    round_ = round_or_404(item.round_id)
    form = FeedbackForm()
    if form.validate_on_submit():
        _save(item, form)
        flash(_("Feedback item %(id)d is saved.", id=item.id))
    else:
        problems = " ".join(str(m) for errors in form.errors.values() for m in errors)
        flash(_("Feedback item %(id)d was not saved: %(problems)s", id=item.id, problems=problems))
    values: dict[str, Any] = {"round_id": round_.id, **_filters(round_)}
    target = url_for("feedback.triage", **values)
    return redirect(f"{target}#item-{item.id}", code=303)


def _save(item: FeedbackItem, form: FeedbackForm) -> None:
    """Store the form on the item (the service audits a change of status)."""
    db = get_session()
    data = form.status.data, form.note.data, form.addressed_in_revision.data
    feedback.update_item(db, item, *data, actor=actor())
    db.commit()


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
