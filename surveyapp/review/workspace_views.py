"""The coordinator's review pages: the list, a new review, a review with its parties,
members, personal links and progress, and the forms that add parties and members."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from ..auth.access import actor, role_required
from ..db import get_session
from ..definitions.schema import localize
from ..errors import InvalidRequest
from ..i18n import LANGUAGE_NAMES, _
from ..review_models import PeerReview
from ..services import peer_reviews
from ..web.csv_download import csv_download
from ..web.lookups import writing_session
from .blueprint import bp
from .forms import MemberForm, PartyForm, ReviewForm
from .links import personal_link
from .lookups import chapters_of, criteria_registry, review_criteria, review_or_404


def _lang() -> str:
    return str(get_locale() or "en")


def _named(codes: Iterable[str]) -> list[tuple[str, str]]:
    """A select's choices: each language by its own name ("suomi"), the code as the value."""
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in codes]


@bp.get("/")
@role_required("coordinator")
def reviews() -> ResponseReturnValue:
    found = peer_reviews.list_reviews(get_session())
    return render_template("review/list.html", reviews=found)


def _review_form() -> ReviewForm:
    form = ReviewForm()
    sets = criteria_registry().all()
    form.criteria_set.choices = [(s.id, f"{localize(s.title, _lang())} ({s.id})") for s in sets]
    codes = dict.fromkeys(code for s in sets for code in s.languages)
    form.host_language.choices = _named(codes)
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required("coordinator")
def new_review() -> ResponseReturnValue:
    form = _review_form()
    if form.validate_on_submit():
        criteria = criteria_registry().get(form.criteria_set.data)
        if form.host_language.data in criteria.languages:
            review = peer_reviews.create_review(
                get_session(), **_review_values(form), criteria=criteria, actor=actor()
            )
            get_session().commit()  # the service checked the days already (the form too)
            flash(_("The peer review is created: now add the host and the peers."))
            return redirect(url_for("review.review_detail", review_id=review.id), 303)
        form.host_language.errors.append(_("The criteria set is not in this language."))
    status = 422 if form.is_submitted() else 200
    return render_template("review/new.html", form=form), status


def _review_values(form: ReviewForm) -> dict[str, Any]:
    return {
        "title": form.title.data,
        "host_name": form.host_name.data,
        "host_language": form.host_language.data,
        "evaluation_start": form.evaluation_start.data,
        "evaluation_end": form.evaluation_end.data,
    }


def _party_form(review: PeerReview) -> PartyForm:
    form = PartyForm(prefix="party")
    form.language.choices = _named(review_criteria(review).languages)
    return form


def _member_form(review: PeerReview) -> MemberForm:
    form = MemberForm(prefix="member")
    form.party.choices = [(str(p.id), p.name) for p in review.parties]
    form.language.choices = [("", "–"), *_named(review_criteria(review).languages)]
    return form


def _render_review(
    review: PeerReview, party_form: PartyForm, member_form: MemberForm, status: int = 200
) -> ResponseReturnValue:
    page = render_template(
        "review/review.html",
        review=review,
        criteria=review_criteria(review),
        chapters=chapters_of(review_criteria(review), review.host_language),
        answered=peer_reviews.progress(get_session(), review),
        link=personal_link,
        party_form=party_form,
        member_form=member_form,
    )
    return page, status


@bp.get("/<id:review_id>")
@role_required("coordinator")
def review_detail(review_id: int) -> ResponseReturnValue:
    review = review_or_404(review_id)
    return _render_review(review, _party_form(review), _member_form(review))


@bp.post("/<id:review_id>/parties")
@role_required("coordinator")
def add_party(review_id: int) -> ResponseReturnValue:
    review = review_or_404(review_id)
    form = _party_form(review)
    if not form.validate_on_submit():
        return _render_review(review, form, _member_form(review), 422)
    try:
        peer_reviews.add_party(
            get_session(), review, role=form.role.data, name=form.name.data,
            language=form.language.data, country=form.country.data or None, actor=actor(),
        )  # fmt: skip
    except InvalidRequest as error:
        get_session().rollback()
        form.form_errors.append(str(error))
        return _render_review(review, form, _member_form(review), 422)
    get_session().commit()
    flash(_("%(name)s is added.", name=form.name.data))
    return redirect(url_for("review.review_detail", review_id=review.id), 303)


@bp.post("/<id:review_id>/members")
@role_required("coordinator")
def add_member(review_id: int) -> ResponseReturnValue:
    review = review_or_404(review_id)
    form = _member_form(review)
    if not form.validate_on_submit():
        return _render_review(review, _party_form(review), form, 422)
    party = next(p for p in review.parties if str(p.id) == form.party.data)
    try:
        peer_reviews.add_member(
            get_session(), party, name=form.name.data, email=form.email.data,
            language=form.language.data or None, actor=actor(),
        )  # fmt: skip
    except InvalidRequest as error:
        get_session().rollback()
        form.form_errors.append(str(error))
        return _render_review(review, _party_form(review), form, 422)
    get_session().commit()
    flash(_("%(name)s is added.", name=form.name.data))
    return redirect(url_for("review.review_detail", review_id=review.id), 303)


@bp.get("/<id:review_id>/links.csv")
@role_required("coordinator")
def links_csv(review_id: int) -> ResponseReturnValue:
    """Every member's personal link, to send them; the download is audited."""
    db = writing_session()
    review = review_or_404(review_id)
    rows = peer_reviews.personal_links(db, review, current_app.config["BASE_URL"], actor=actor())
    db.commit()
    header = ["organisation", "role", "name", "email", "language", "link"]
    cells = ([r.organisation, r.role, r.name, r.email, r.language, r.link] for r in rows)
    return csv_download(f"review-{review.id}-links.csv", header, cells)
