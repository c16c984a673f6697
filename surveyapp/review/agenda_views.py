"""The evaluation days' agenda: drafted from the pre-report (criteria in order of
divergence), then edited item by item, one form per item, without JavaScript."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from ..auth.access import actor, role_required
from ..db import get_session
from ..errors import InvalidRequest
from ..forms.dynamic import TokenField
from ..i18n import _
from ..review_models import PeerReview, ReviewAgendaItem
from ..services import peer_reviews
from .blueprint import bp
from .forms import AgendaItemForm
from .lookups import review_criteria, review_or_404


def _render(
    review: PeerReview, failed: AgendaItemForm | None = None, failed_id: int | None = None
) -> ResponseReturnValue:
    items = peer_reviews.agenda_items(get_session(), review)
    forms = {}
    for item in items:
        form = (
            failed
            if item.id == failed_id and failed
            else AgendaItemForm(prefix=f"item{item.id}", obj=item, formdata=None)
        )
        if form is not failed:
            form.day.data = str(item.day)
        forms[item.id] = form
    page = render_template(
        "review/agenda.html", review=review, items=items, forms=forms,
        criteria=review_criteria(review), lang=review.host_language, form=TokenField(),
    )  # fmt: skip
    return page, 422 if failed else 200


@bp.get("/<id:review_id>/agenda")
@role_required("coordinator")
def agenda(review_id: int) -> ResponseReturnValue:
    return _render(review_or_404(review_id))


@bp.post("/<id:review_id>/agenda/draft")
@role_required("coordinator")
def draft_agenda(review_id: int) -> ResponseReturnValue:
    review = review_or_404(review_id)
    peer_reviews.draft_agenda(get_session(), review, actor=actor())
    get_session().commit()
    flash(_("The agenda is drafted from the pre-report: edit it below."))
    return redirect(url_for("review.agenda", review_id=review.id), 303)


def _item_or_404(review: PeerReview, item_id: int) -> ReviewAgendaItem:
    try:
        return peer_reviews.agenda_item(get_session(), review, item_id)
    except InvalidRequest:
        abort(404)


@bp.post("/<id:review_id>/agenda/<id:agenda_item_id>")
@role_required("coordinator")
def change_agenda_item(review_id: int, agenda_item_id: int) -> ResponseReturnValue:
    review = review_or_404(review_id)
    item = _item_or_404(review, agenda_item_id)
    form = AgendaItemForm(prefix=f"item{item.id}")
    if not form.validate_on_submit():
        return _render(review, form, item.id)
    db = get_session()
    peer_reviews.update_agenda_item(
        db, item, day=int(form.day.data), questions=form.questions.data or "",
        interviewees=form.interviewees.data or "", actor=actor(),
    )  # fmt: skip
    if form.position.data != item.position:
        peer_reviews.move(db, item, by=form.position.data - item.position, actor=actor())
    db.commit()
    flash(_("The agenda item is saved."))
    return redirect(url_for("review.agenda", review_id=review.id) + f"#item-{item.id}", 303)
