"""The evaluation days' agenda: drafted from the pre-report (criteria in order of
divergence), then edited item by item, one form per item, without JavaScript. A form over a
newer edit, or of an item gone since (drafted again), keeps what was typed on the page."""

from __future__ import annotations

import hashlib

from flask import flash, redirect, render_template, request, url_for
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


def item_fingerprint(item: ReviewAgendaItem) -> str:
    """A short hash of the item's criterion, day and texts as shown, to tell a newer edit
    (or, after drafting again, another item under a reused id) from ours."""
    shown = f"{item.criterion_id}\x00{item.day}\x00{item.questions}\x00{item.interviewees}"
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def _render(
    review: PeerReview, failed: AgendaItemForm | None = None, failed_id: int | None = None,
    kept: AgendaItemForm | None = None, kept_reason: str = "", status: int = 200,
) -> ResponseReturnValue:  # fmt: skip
    """The agenda; `failed` is an item's form as typed (errors), `kept` one that could not be
    saved, shown above the items with `kept_reason`."""
    items = peer_reviews.agenda_items(get_session(), review)
    forms = {}
    for item in items:
        if item.id == failed_id and failed:
            forms[item.id] = failed
            continue
        form = AgendaItemForm(prefix=f"item{item.id}", obj=item, formdata=None)
        form.day.data = str(item.day)
        form.seen_position.data = str(item.position)
        form.seen.data = item_fingerprint(item)
        forms[item.id] = form
    page = render_template(
        "review/agenda.html", review=review, items=items, forms=forms,
        criteria=review_criteria(review), lang=review.host_language, form=TokenField(),
        kept=kept, kept_reason=kept_reason,
    )  # fmt: skip
    return page, 422 if failed else status


@bp.get("/<id:review_id>/agenda")
@role_required("coordinator")
def agenda(review_id: int) -> ResponseReturnValue:
    return _render(review_or_404(review_id))


@bp.post("/<id:review_id>/agenda/draft")
@role_required("coordinator")
def draft_agenda(review_id: int) -> ResponseReturnValue:
    """Drafting again replaces every item and its edits: only after a second, explicit step."""
    review = review_or_404(review_id)
    db = get_session()
    if peer_reviews.agenda_items(db, review) and request.form.get("confirm") != "1":
        return render_template("review/agenda_redraft.html", review=review, form=TokenField())
    peer_reviews.draft_agenda(db, review, actor=actor())
    db.commit()
    flash(_("The agenda is drafted from the pre-report: edit it below."))
    return redirect(url_for("review.agenda", review_id=review.id), 303)


@bp.post("/<id:review_id>/agenda/<id:agenda_item_id>")
@role_required("coordinator")
def change_agenda_item(review_id: int, agenda_item_id: int) -> ResponseReturnValue:
    review = review_or_404(review_id)
    db = get_session()
    form = AgendaItemForm(prefix=f"item{agenda_item_id}")
    try:
        item = peer_reviews.agenda_item(db, review, agenda_item_id)
    except InvalidRequest:
        reason = _(
            "This item is no longer on the agenda (the agenda was drafted again), so your "
            "changes were not saved. What you typed is below: copy it into the new agenda."
        )
        return _render(review, kept=form, kept_reason=reason, status=409)
    if not form.validate_on_submit():
        return _render(review, form, item.id)
    if form.seen.data and form.seen.data != item_fingerprint(item):
        reason = _(
            "Someone changed this item after you opened the page, so your changes were not "
            "saved. The item shows the newer text; what you typed is below: copy what you "
            "need into the item and save again."
        )
        return _render(review, kept=form, kept_reason=reason, status=409)
    _save_item(review, item, form)
    db.commit()
    flash(_("The agenda item is saved."))
    return redirect(url_for("review.agenda", review_id=review.id) + f"#item-{item.id}", 303)


def _save_item(review: PeerReview, item: ReviewAgendaItem, form: AgendaItemForm) -> None:
    """The day and texts; the position only when the form's position was changed."""
    db = get_session()
    peer_reviews.update_agenda_item(
        db, item, day=int(form.day.data), questions=form.questions.data or "",
        interviewees=form.interviewees.data or "", actor=actor(),
    )  # fmt: skip
    seen = form.seen_position.data or ""
    if seen.isdigit() and form.position.data != int(seen):
        peer_reviews.move(db, item, by=form.position.data - item.position, actor=actor())
