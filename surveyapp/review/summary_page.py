"""The summary page of the workspace: the report in the host's language, the action
proposals with a form each, the form of a new one, and Publish."""

from __future__ import annotations

from flask import render_template, request

from ..analysis.peer_review_reports import summary_report
from ..db import get_session
from ..definitions.schema import localize
from ..forms.dynamic import TokenField
from ..i18n import _
from ..review_models import PeerReview, ReviewAction, ReviewFollowUp
from ..services import peer_reviews
from ..web.lookups import manual
from .forms import ActionForm
from .lookups import review_criteria
from .names import report_words


def report_lang(review: PeerReview) -> str:
    """`?lang=` if the criteria set has it, else the host's language."""
    asked = request.args.get("lang")
    return asked if asked in review_criteria(review).languages else review.host_language


def action_form(
    review: PeerReview, action: ReviewAction | None = None, prefix: str = "new"
) -> ActionForm:
    """The form of one action (`action`), or of a new one; posted data when there is some."""
    form = ActionForm(prefix=f"action{action.id}" if action else prefix, obj=action)
    if action is not None and not form.is_submitted():
        form.criterion.data = action.criterion_id or ""
    criteria = review_criteria(review)
    lang = review.host_language
    form.criterion.choices = [("", _("The whole review"))] + [
        (c.id, localize(c.text, lang)[:90]) for c in criteria.criteria
    ]
    return form


CARRIED_STATUSES = ("in_progress", "not_started")  # unfinished: worth carrying over


def carry_form(review: PeerReview, earlier: ReviewAction) -> ActionForm:
    """A new action prefilled from an earlier one (title, owner, priority and, when the
    re-run's set has it, the criterion); the posted data when there is some."""
    form = action_form(review, prefix=f"carry{earlier.id}")
    if not form.is_submitted():
        form.title.data, form.owner.data = earlier.title, earlier.owner
        form.priority.data = earlier.priority
        known = {value for value, _label in form.criterion.choices}
        form.criterion.data = earlier.criterion_id if earlier.criterion_id in known else ""
    return form


def carry_candidates(review: PeerReview) -> list[ReviewFollowUp]:
    """In a re-run: the earlier actions the host reported in progress or not started and
    that no action of this review carries over yet."""
    if review.previous_review_id is None:
        return []
    db = get_session()
    carried = {a.carried_from_id for a in peer_reviews.actions_of(db, review)}
    return [
        row
        for row in peer_reviews.follow_ups(db, review)
        if row.status in CARRIED_STATUSES and row.action_id not in carried
    ]


def render_summary(
    review: PeerReview,
    new_form: ActionForm | None = None,
    failed: tuple[int, ActionForm] | None = None,
    carry_failed: tuple[int, ActionForm] | None = None,
) -> str:
    lang = report_lang(review)
    actions = peer_reviews.actions_of(get_session(), review)
    forms = {a.id: action_form(review, a) for a in actions}
    if failed:
        forms[failed[0]] = failed[1]
    carry = carry_candidates(review)
    carry_forms = {row.action_id: carry_form(review, row.action) for row in carry}
    if carry_failed:
        carry_forms[carry_failed[0]] = carry_failed[1]
    return render_template(
        "review/summary.html",
        review=review,
        report=summary_report(get_session(), review, lang, manual=manual()),
        **report_words(),
        lang=lang,
        languages=review_criteria(review).languages,
        actions=actions,
        forms=forms,
        new_form=new_form or action_form(review),
        carry=carry,
        carry_forms=carry_forms,
        form=TokenField(),
    )
