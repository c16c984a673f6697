"""The summary's action proposals: add, edit and delete, each with an owner, a due date
and a priority (one form per action, no JavaScript)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue

from ..auth.access import actor, role_required
from ..db import get_session
from ..errors import InvalidRequest
from ..i18n import _
from ..review_models import PeerReview, ReviewAction
from ..services import peer_reviews
from .blueprint import bp
from .forms import ActionForm
from .lookups import review_or_404
from .summary_page import action_form, carry_candidates, carry_form, render_summary


def _values(form: ActionForm) -> dict[str, Any]:
    return {
        "title": form.title.data,
        "owner": form.owner.data or "",
        "due_on": form.due_on.data,
        "priority": form.priority.data,
        "criterion_id": form.criterion.data or None,
    }


def _action_or_404(review: PeerReview, action_id: int) -> ReviewAction:
    try:
        return peer_reviews.action_of(get_session(), review, action_id)
    except InvalidRequest:
        abort(404)


def _back(review: PeerReview, anchor: str = "actions") -> ResponseReturnValue:
    return redirect(url_for("review.summary", review_id=review.id) + "#" + anchor, 303)


@bp.post("/<id:review_id>/actions")
@role_required("coordinator")
def add_action(review_id: int) -> ResponseReturnValue:
    review = review_or_404(review_id)
    form = action_form(review)
    if not form.validate_on_submit():
        return render_summary(review, new_form=form), 422
    try:
        peer_reviews.add_action(get_session(), review, **_values(form), actor=actor())
    except InvalidRequest as error:  # the service's checks: the form again, as typed
        get_session().rollback()
        form.form_errors.append(str(error))
        return render_summary(review, new_form=form), 422
    get_session().commit()
    flash(_("The action is added."))
    return _back(review)


@bp.post("/<id:review_id>/actions/carry/<id:earlier_id>")
@role_required("coordinator")
def carry_action(review_id: int, earlier_id: int) -> ResponseReturnValue:
    """An earlier review's unfinished action as a new action of this re-run."""
    review = review_or_404(review_id)
    earlier = next((r.action for r in carry_candidates(review) if r.action_id == earlier_id), None)
    if earlier is None:  # not of the earlier review, finished, or carried over already
        abort(404)
    form = carry_form(review, earlier)
    if not form.validate_on_submit():
        return render_summary(review, carry_failed=(earlier_id, form)), 422
    try:
        peer_reviews.add_action(
            get_session(), review, **_values(form), carried_from_id=earlier_id, actor=actor()
        )
    except InvalidRequest as error:
        get_session().rollback()
        form.form_errors.append(str(error))
        return render_summary(review, carry_failed=(earlier_id, form)), 422
    get_session().commit()
    flash(_("The earlier action is carried over as a new action."))
    return _back(review)


@bp.post("/<id:review_id>/actions/<id:action_id>")
@role_required("coordinator")
def change_action(review_id: int, action_id: int) -> ResponseReturnValue:
    review = review_or_404(review_id)
    action = _action_or_404(review, action_id)
    form = action_form(review, action)
    if not form.validate_on_submit():
        return render_summary(review, failed=(action.id, form)), 422
    try:
        peer_reviews.update_action(get_session(), action, **_values(form), actor=actor())
    except InvalidRequest as error:
        get_session().rollback()
        form.form_errors.append(str(error))
        return render_summary(review, failed=(action.id, form)), 422
    get_session().commit()
    flash(_("The action is saved."))
    return _back(review, f"action-{action.id}")


@bp.post("/<id:review_id>/actions/<id:action_id>/delete")
@role_required("coordinator")
def delete_action(review_id: int, action_id: int) -> ResponseReturnValue:
    review = review_or_404(review_id)
    action = _action_or_404(review, action_id)
    try:
        peer_reviews.delete_action(get_session(), action, actor=actor())
    except InvalidRequest as error:
        get_session().rollback()
        flash(str(error))
        return _back(review)
    get_session().commit()
    flash(_("The action is deleted."))
    return _back(review)
