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
from ..models import FEEDBACK_STATUSES, Round
from ..services import feedback, feedback_changes, feedback_queue, feedback_similar, rounds
from ..services.feedback import FeedbackRow
from ..services.feedback_changes import KEEP, Keep
from ..web.csv_download import csv_download
from ..web.lookups import chapter_titles, manual, round_or_404, topic_titles, writing_session
from ..web.round_pages import render_round_page
from .forms import STATUS_NAMES, BulkForm, DuplicateForm, query_args, queue_query

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
    found = feedback_queue.items_page(db, round_, query, lang=_lang())
    return render_round_page(
        "feedback/triage.html",
        round_,
        found=found,
        query=query,
        args={k: v for k, v in query_args(query).items() if k != "page"},
        choices={"chapter": chapters, "language": languages, "group": groups},
        statuses=FEEDBACK_STATUSES,
        status_names=STATUS_NAMES,
        chapter_names=chapter_titles(_lang(), round_.revision),
        topic_names=topic_titles(_lang(), round_.revision),
        assignees=feedback_changes.assignable_users(db),
        current_user_id=actor().user_id,
        emails=feedback_changes.user_emails(db, [row.assignee_id for row in found.rows]),
        similar=feedback_similar.similar_comments(db, round_, found.rows),
        waiting=feedback.comments_waiting(db, round_),
    )


@bp.post("/rounds/<id:round_id>/feedback")
@role_required("editor")
def bulk_update(round_id: int) -> ResponseReturnValue:
    """One status (and note, revision) for the rows selected on a page of the triage."""
    round_ = round_or_404(round_id)
    form = BulkForm()
    if not form.validate_on_submit() or not form.item.data or _unchanged(form):
        flash(_("Nothing was saved: %(problems)s", problems=_problems(form)))
    else:
        db = writing_session()
        changed = feedback_changes.update_items(
            db,
            round_,
            form.item.data,
            status=form.status.data or None,
            note=form.note.data,
            addressed_in_revision=form.addressed_in_revision.data,
            assignee=_assignee(form.assignee.data),
            actor=actor(),
        )
        db.commit()
        flash(_("Feedback items saved: %(num)d.", num=changed))
    return _back_to_triage(round_)


def _assignee(value: str) -> int | Keep | None:
    """The bulk form's assignee: "" leaves each row's, "nobody" empties it, else an id."""
    if not value:
        return KEEP
    return None if value == "nobody" else int(value)


def _unchanged(form: BulkForm) -> bool:
    fields = (form.status, form.assignee, form.note, form.addressed_in_revision)
    return not any(field.data for field in fields)


def _problems(form: BulkForm) -> str:
    found = [str(m) for errors in form.errors.values() for m in errors]
    if found:
        return " ".join(found)
    if not form.item.data:
        return str(_("Select at least one comment."))
    return str(_("Choose a status, an assignee, a note or a revision."))


def _back_to_triage(round_: Round) -> ResponseReturnValue:
    back: dict[str, Any] = {"round_id": round_.id, **_filters(round_)}
    return redirect(url_for("feedback.triage", **back), code=303)


@bp.post("/rounds/<id:round_id>/feedback/duplicate")
@role_required("editor")
def mark_duplicate(round_id: int) -> ResponseReturnValue:
    """A suggested duplicate taken: the first item of the pair repeats the second."""
    round_ = round_or_404(round_id)
    form = DuplicateForm()
    if not form.validate_on_submit():
        flash(_("Nothing was saved: %(problems)s", problems=_problems_of(form)))
        return _back_to_triage(round_)
    repeats, original = (int(part) for part in form.pair.data.split("-"))
    db = writing_session()
    feedback_changes.mark_duplicates(db, round_, [repeats], original, actor=actor())
    db.commit()
    flash(
        _(
            "Comment #%(item)d marked as a duplicate of #%(original)d.",
            item=repeats,
            original=original,
        )
    )
    return _back_to_triage(round_)


def _problems_of(form: DuplicateForm) -> str:
    return " ".join(str(m) for errors in form.errors.values() for m in errors)


@bp.get("/rounds/<id:round_id>/feedback/items/<id:item_id>")
@role_required("editor")
def show_item(round_id: int, item_id: int) -> ResponseReturnValue:
    """The triage page (unfiltered, in chapter order) that lists the item, at its row."""
    round_ = round_or_404(round_id)
    page = feedback_queue.page_of(get_session(), round_, item_id)
    if page is None:
        abort(404)
    where = url_for("feedback.triage", round_id=round_.id, page=page if page > 1 else None)
    return redirect(f"{where}#item-{item_id}", code=303)


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
