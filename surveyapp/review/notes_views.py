"""The evaluation days' notes page of one criterion: notes, the final level (radio buttons
with the level descriptions), strengths and development areas. A form that fails (a stale
form, a level off the scale, an expired form token) keeps every field as typed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..auth.access import actor, role_required
from ..db import get_session
from ..errors import InvalidRequest
from ..forms.dynamic import TokenField
from ..i18n import _
from ..review_models import PeerReview, ReviewNote, ReviewParty
from ..services import peer_reviews
from ..services.peer_reviews.notes import StaleNote
from .blueprint import bp
from .lookups import criterion_or_404, review_criteria, review_or_404

NOTE_FIELDS = ("notes", "strengths", "development_areas")


def _stored(note: ReviewNote | None) -> dict[str, str]:
    values = {name: getattr(note, name) if note else "" for name in NOTE_FIELDS}
    values["final_level"] = (
        "" if note is None or note.final_level is None else str(note.final_level)
    )
    values["seen_version"] = str(note.version if note else 0)
    return values


def render_notes(
    review: PeerReview, criterion_id: str, values: Mapping[str, str],
    errors: Mapping[str, str] | None = None, stale: ReviewNote | None = None,
    notice: str | None = None,
) -> str:  # fmt: skip
    """The notes page, with `values` as stored or as typed."""
    criteria = review_criteria(review)
    criterion = criterion_or_404(criteria, criterion_id)
    ids = [c.id for c in criteria.criteria]
    at = ids.index(criterion.id)
    return render_template(
        "review/notes.html",
        review=review,
        criterion=criterion,
        lang=review.host_language,
        values=values,
        errors=errors or {},
        stale=stale,
        notice=notice,
        views=_views(review, criterion.id),
        previous_id=ids[at - 1] if at > 0 else None,
        next_id=ids[at + 1] if at + 1 < len(ids) else None,
        form=TokenField(),
    )


def _views(review: PeerReview, criterion_id: str) -> list[tuple[ReviewParty, Any]]:
    """Each organisation with its view of the criterion before the days (or None)."""
    found = peer_reviews.assessments_by_party(get_session(), review)
    return [(party, found.get(party.id, {}).get(criterion_id)) for party in review.parties]


@bp.get("/<id:review_id>/notes/<criterion_id>")
@role_required("coordinator")
def notes(review_id: int, criterion_id: str) -> ResponseReturnValue:
    review = review_or_404(review_id)
    note = peer_reviews.note_of(get_session(), review, criterion_id)
    return render_notes(review, criterion_id, _stored(note))


def posted_notes() -> dict[str, str]:
    names = (*NOTE_FIELDS, "final_level", "seen_version")
    return {name: request.form.get(name, "") for name in names}


@bp.post("/<id:review_id>/notes/<criterion_id>")
@role_required("coordinator")
def save_note(review_id: int, criterion_id: str) -> ResponseReturnValue:
    review = review_or_404(review_id)
    criterion_or_404(review_criteria(review), criterion_id)
    values = posted_notes()
    level = values["final_level"].strip()
    if level and not level.isdigit():
        errors = {"final_level": _("Choose one of the levels shown.")}
        return render_notes(review, criterion_id, values, errors), 422
    seen = values["seen_version"]
    try:
        peer_reviews.save_note(
            get_session(), review, criterion_id, final_level=int(level) if level else None,
            **{name: values[name] for name in NOTE_FIELDS},
            seen_version=int(seen) if seen.isdigit() else None, actor=actor(),
        )  # fmt: skip
    except StaleNote as stale:
        get_session().rollback()
        values["seen_version"] = str(stale.current.version)
        return render_notes(review, criterion_id, values, stale=stale.current), 409
    except InvalidRequest as error:
        get_session().rollback()
        return render_notes(review, criterion_id, values, {"form": str(error)}), 422
    get_session().commit()
    flash(_("The notes are saved."))
    return redirect(url_for("review.notes", review_id=review.id, criterion_id=criterion_id), 303)
