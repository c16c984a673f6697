"""The summary page of the workspace: the report in the host's language, the action
proposals with a form each, the form of a new one, and Publish."""

from __future__ import annotations

from flask import render_template, request

from ..analysis.peer_review_reports import summary_report
from ..db import get_session
from ..definitions.schema import localize
from ..forms.dynamic import TokenField
from ..i18n import _
from ..review_models import PeerReview, ReviewAction
from ..services import peer_reviews
from ..web.lookups import manual
from .forms import ActionForm
from .lookups import review_criteria
from .names import report_words


def report_lang(review: PeerReview) -> str:
    """`?lang=` if the criteria set has it, else the host's language."""
    asked = request.args.get("lang")
    return asked if asked in review_criteria(review).languages else review.host_language


def action_form(review: PeerReview, action: ReviewAction | None = None) -> ActionForm:
    """The form of one action (`action`), or of a new one; posted data when there is some."""
    prefix = f"action{action.id}" if action else "new"
    form = ActionForm(prefix=prefix, obj=action)
    if action is not None and not form.is_submitted():
        form.criterion.data = action.criterion_id or ""
    criteria = review_criteria(review)
    lang = review.host_language
    form.criterion.choices = [("", _("The whole review"))] + [
        (c.id, localize(c.text, lang)[:90]) for c in criteria.criteria
    ]
    return form


def render_summary(
    review: PeerReview,
    new_form: ActionForm | None = None,
    failed: tuple[int, ActionForm] | None = None,
) -> str:
    lang = report_lang(review)
    actions = peer_reviews.actions_of(get_session(), review)
    forms = {a.id: action_form(review, a) for a in actions}
    if failed:
        forms[failed[0]] = failed[1]
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
        form=TokenField(),
    )
