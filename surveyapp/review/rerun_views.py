"""Starting the re-run of a published review: the same host and peers (new links), the
criteria mapped through `continues`, and each earlier action to follow up."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from ..auth.access import actor, role_required
from ..db import get_session
from ..definitions.schema import localize
from ..errors import InvalidRequest
from ..i18n import _
from ..review_models import PeerReview
from ..services import peer_reviews
from .blueprint import bp
from .forms import RerunForm
from .lookups import criteria_registry, review_or_404


def _form(review: PeerReview) -> RerunForm:
    form = RerunForm()
    sets = criteria_registry().all()
    lang = review.host_language
    form.criteria_set.choices = [(s.id, f"{localize(s.title, lang)} ({s.id})") for s in sets]
    if not form.is_submitted():
        form.criteria_set.data = review.criteria_set_id
    return form


def _render(review: PeerReview, form: RerunForm, status: int = 200) -> ResponseReturnValue:
    later = peer_reviews.rerun_of(get_session(), review)
    page = render_template("review/rerun.html", review=review, form=form, later=later)
    return page, status


@bp.get("/<id:review_id>/rerun")
@role_required("coordinator")
def rerun(review_id: int) -> ResponseReturnValue:
    review = review_or_404(review_id)
    return _render(review, _form(review))


@bp.post("/<id:review_id>/rerun")
@role_required("coordinator")
def start_rerun(review_id: int) -> ResponseReturnValue:
    review = review_or_404(review_id)
    form = _form(review)
    if not form.validate_on_submit():
        return _render(review, form, 422)
    try:
        later = peer_reviews.start_rerun(
            get_session(), review, criteria=criteria_registry().get(form.criteria_set.data),
            evaluation_start=form.evaluation_start.data,
            evaluation_end=form.evaluation_end.data, actor=actor(),
        )  # fmt: skip
    except InvalidRequest as error:
        get_session().rollback()
        form.form_errors.append(str(error))
        return _render(review, form, 422)
    get_session().commit()
    flash(_("The re-run is started: send the new personal links to the members."))
    return redirect(url_for("review.review_detail", review_id=later.id), 303)
