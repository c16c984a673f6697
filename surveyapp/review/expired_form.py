"""A review form sent with an expired (or wrong) form token: the page again, every field as
typed, and a word on what happened; nothing is saved (status 400)."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError

from ..auth.access import is_coordinator
from ..i18n import _
from .chapter_form import posted_entries
from .followup_views import render_follow_ups
from .link_context import reviewer_or_404
from .link_views import chapter_or_404, render_chapter
from .lookups import review_or_404
from .notes_views import posted_notes, render_notes


def _notice() -> str:
    return _(
        "Your session had expired, so this page was not saved yet. "
        "What you typed is still here: check it and save again."
    )


def chapter_expired(_error: CSRFError) -> ResponseReturnValue:
    args = request.view_args or {}
    reviewer = reviewer_or_404(args["token"])
    _index, chapter = chapter_or_404(reviewer, args["chapter_id"])
    entries = posted_entries(chapter["criteria"], request.form, reviewer.is_host)
    return render_chapter(reviewer, chapter["id"], entries, notice=_notice()), 400


def follow_ups_expired(_error: CSRFError) -> ResponseReturnValue:
    reviewer = reviewer_or_404((request.view_args or {})["token"])
    if not reviewer.is_host or reviewer.review.previous_review_id is None:
        abort(400)  # no page of its own to show again: the plain expired-form page
    return render_follow_ups(reviewer, request.form, notice=_notice()), 400


def notes_expired(_error: CSRFError) -> ResponseReturnValue:
    args = request.view_args or {}
    if not is_coordinator():
        return _notes_without_login(args), 400
    review = review_or_404(args["review_id"])
    return render_notes(review, args["criterion_id"], posted_notes(), notice=_notice()), 400


CSRF_PAGES = {
    "reviewer.save_chapter": chapter_expired,
    "reviewer.save_follow_ups": follow_ups_expired,
    "review.save_note": notes_expired,
}


def _notes_without_login(args: dict[str, object]) -> str:
    """A poster whose login expired (a tablet left open overnight): only what they posted,
    to copy, and a way to log in again; nothing else of the review (they may be anyone)."""
    back = url_for("review.notes", review_id=args["review_id"], criterion_id=args["criterion_id"])
    fields = [
        ("notes", _("Notes from the evaluation days")),
        ("strengths", _("Strengths")),
        ("development_areas", _("Development areas")),
    ]
    return render_template(
        "review/notes_expired.html", fields=fields, values=posted_notes(),
        login_url=url_for("auth.login", next=back),
    )  # fmt: skip
