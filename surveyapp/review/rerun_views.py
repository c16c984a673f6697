"""Starting the re-run of a published review: the same host and peers (new links), the
criteria mapped through `continues`, and each earlier action to follow up."""

from __future__ import annotations

from collections.abc import Iterable

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from ..auth.access import actor, role_required
from ..db import get_session
from ..definitions.criteria import CriteriaSet
from ..definitions.schema import localize
from ..errors import InvalidRequest
from ..i18n import _
from ..review_models import PeerReview
from ..services import peer_reviews
from ..services.peer_reviews import CriteriaMapping
from .blueprint import bp
from .forms import RerunForm
from .lookups import criteria_registry, review_criteria, review_or_404


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
        started = peer_reviews.start_rerun(
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
    _flash_gaps(review, started.review, started.mapping)
    return redirect(url_for("review.review_detail", review_id=started.review.id), 303)


def _flash_gaps(earlier: PeerReview, later: PeerReview, mapping: CriteriaMapping) -> None:
    """What the new set's criteria leave unmapped, by the criteria's texts, so that the
    coordinator can see what the re-run will not compare (and pick another set)."""
    lang = earlier.host_language
    old, new = review_criteria(earlier), review_criteria(later)

    def named(criteria: CriteriaSet, ids: Iterable[str]) -> str:
        known = {c.id: c for c in criteria.criteria}
        return "; ".join(localize(known[i].text, lang)[:90] if i in known else i for i in ids)

    if mapping.unmapped_earlier:
        flash(_("Earlier criteria no new criterion carries on: %(names)s",
                names=named(old, mapping.unmapped_earlier)))  # fmt: skip
    if mapping.unmapped_new:
        flash(_("New criteria without an earlier one: %(names)s",
                names=named(new, mapping.unmapped_new)))  # fmt: skip
    for new_id, old_id in mapping.unknown_continues:
        flash(_("%(new)s continues %(old)s, which the earlier criteria set does not have.",
                new=named(new, [new_id]), old=old_id))  # fmt: skip
