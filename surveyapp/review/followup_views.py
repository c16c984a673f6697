"""In a re-run, the host's page on the earlier review's actions: for each, what became of it
(done, in progress, not started, dropped) and why; and, once published, the host's summary."""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..analysis.peer_review_reports import summary_report
from ..db import begin_write, get_session
from ..errors import InvalidRequest
from ..forms.dynamic import TokenField
from ..i18n import _
from ..services import peer_reviews
from ..web.lookups import manual
from .blueprint import links_bp
from .downloads import report_download
from .link_context import Reviewer, reviewer_actor, reviewer_or_404
from .names import STATUS_NAMES, report_words


def _host_in_rerun_or_404(token: str) -> Reviewer:
    reviewer = reviewer_or_404(token)
    if not reviewer.is_host or reviewer.review.previous_review_id is None:
        abort(404)
    return reviewer


def render_follow_ups(
    reviewer: Reviewer, posted: Mapping[str, str] | None = None,
    errors: Mapping[int, str] | None = None, notice: str | None = None,
) -> str:  # fmt: skip
    rows = peer_reviews.follow_ups(get_session(), reviewer.review)
    values = {}
    for row in rows:
        if posted is None:
            values[row.action_id] = (row.status, row.explanation)
        else:
            key = f"a{row.action_id}"
            values[row.action_id] = (posted.get(f"{key}-status", ""), posted.get(f"{key}-why", ""))
    return render_template(
        "review/link_follow_ups.html", **reviewer.page_context(), rows=rows, values=values,
        errors=errors or {}, statuses=STATUS_NAMES, form=TokenField(), notice=notice,
    )  # fmt: skip


@links_bp.get("/<token>/actions")
def follow_ups(token: str) -> ResponseReturnValue:
    return render_follow_ups(_host_in_rerun_or_404(token))


@links_bp.post("/<token>/actions")
def save_follow_ups(token: str) -> ResponseReturnValue:
    reviewer = _host_in_rerun_or_404(token)
    db = get_session()
    begin_write(db)
    errors: dict[int, str] = {}
    for row in peer_reviews.follow_ups(db, reviewer.review):
        key = f"a{row.action_id}"
        status = request.form.get(f"{key}-status", "")
        if status not in STATUS_NAMES:
            errors[row.action_id] = _("Choose what became of this action.")
            continue
        try:
            peer_reviews.save_follow_up(
                db, reviewer.member, row.action_id, status=status,
                explanation=request.form.get(f"{key}-why", ""), actor=reviewer_actor(reviewer),
            )  # fmt: skip
        except InvalidRequest as error:
            errors[row.action_id] = str(error)
    db.commit()
    if errors:
        return render_follow_ups(reviewer, request.form, errors), 422
    return redirect(url_for("reviewer.start", token=token, saved="1"), 303)


@links_bp.get("/<token>/summary")
def summary(token: str) -> ResponseReturnValue:
    """The published summary, for the host's members only."""
    reviewer = _host_after_publication_or_404(token)
    report = summary_report(get_session(), reviewer.review, reviewer.lang, manual=manual())
    return render_template(
        "review/link_summary.html", **reviewer.page_context(), report=report, **report_words()
    )


def _host_after_publication_or_404(token: str) -> Reviewer:
    """The host's members read the summary once it is published; peers and others get 404."""
    reviewer = reviewer_or_404(token)
    if not reviewer.is_host or reviewer.review.published_at is None:
        abort(404)
    return reviewer


@links_bp.get("/<token>/summary.pdf")
def summary_pdf(token: str) -> ResponseReturnValue:
    reviewer = _host_after_publication_or_404(token)
    return report_download(
        reviewer.review, "summary", "pdf", reviewer.lang, actor=reviewer_actor(reviewer)
    )


@links_bp.get("/<token>/summary.xlsx")
def summary_xlsx(token: str) -> ResponseReturnValue:
    reviewer = _host_after_publication_or_404(token)
    return report_download(
        reviewer.review, "summary", "xlsx", reviewer.lang, actor=reviewer_actor(reviewer)
    )
