"""Workspace pages of one round: open a new one, monitor it, close, reopen, links, reminders."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from ..analysis import anonymity
from ..auth.access import actor, is_coordinator, role_required
from ..db import get_session
from ..definitions.registry import SurveyRegistry
from ..definitions.schema import localize, localized_language
from ..errors import InvalidRequest
from ..i18n import _, _l, ngettext
from ..jobs import downloads
from ..models import Round
from ..services import invitations, monitor, participants, rounds
from ..web.csv_download import csv_download
from ..web.lookups import round_or_404, writing_session
from ..web.round_pages import render_round_page
from .blueprint import bp
from .forms import InviteForm, RoundForm


def _registry() -> SurveyRegistry:
    registry: SurveyRegistry = current_app.extensions["surveys"]
    return registry


def _group_choices() -> list[tuple[str, str]]:
    groups = participants.list_groups(get_session())
    return [(name, _("%(group)s (%(count)d)", group=name, count=n)) for name, n in groups]


@bp.route("/rounds/new", methods=["GET", "POST"])
@role_required("coordinator")
def new_round() -> ResponseReturnValue:
    form = RoundForm()
    lang = _current_lang()
    surveys = _registry().all()
    form.survey.choices = [(s.id, f"{localize(s.title, lang)} ({s.id})") for s in surveys]
    # A title not translated into the interface language is shown, and marked, in English.
    title_langs = {s.id: localized_language(s.title, lang) for s in surveys}
    form.groups.choices = _group_choices()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        page = render_template("coordinate/round_new.html", form=form, title_langs=title_langs)
        return page, status
    db = get_session()
    try:
        round_ = rounds.open_round(db, _registry(), **_round_options(form), actor=actor())
    except InvalidRequest as error:
        form.form_errors.append(str(error))
        return render_template("coordinate/round_new.html", form=form, title_langs=title_langs), 422
    invited = monitor.round_figures(db, [round_.id])[round_.id].invited
    db.commit()
    flash(
        ngettext(
            "Round %(id)d is open; %(num)d participant invited.",
            "Round %(id)d is open; %(num)d participants invited.",
            invited,
            id=round_.id,
        )
    )
    return redirect(url_for("coordinate.round_detail", round_id=round_.id))


def _round_options(form: RoundForm) -> dict[str, Any]:
    return {
        "survey_id": form.survey.data,
        "revision": form.revision.data,
        "opens_at": form.opens_at.data,
        "closes_at": form.closes_at.data,
        "is_anonymous": form.is_anonymous.data,
        "open_link": form.open_link.data,
        "groups": form.groups.data or [],
    }


def _current_lang() -> str:
    return str(get_locale() or "en")


@bp.get("/rounds/<id:round_id>")
@role_required("editor")
def round_detail(round_id: int) -> ResponseReturnValue:
    round_ = round_or_404(round_id)
    form = InviteForm()
    form.groups.choices = _group_choices()
    return _render_round(round_, form)


def _render_round(round_: Round, invite_form: InviteForm) -> str:
    figures = monitor.round_monitor(get_session(), round_)
    by_group, by_country = _breakdowns(round_, figures)
    link = None
    if round_.open_link_token and is_coordinator():
        link = invitations.open_link(current_app.config["BASE_URL"], round_.open_link_token)
    return render_round_page(
        "coordinate/round.html",
        round_,
        state=rounds.round_state(round_),
        monitor=figures,
        by_group=by_group,
        by_country=by_country,
        anonymity_limit=anonymity.min_count(current_app.config),
        counts=figures.total.as_dict(),
        open_link=link,
        invite_form=invite_form,
        is_coordinator=is_coordinator(),
    )


def _breakdowns(round_: Round, figures: monitor.RoundMonitor) -> tuple[Any, Any]:
    """The monitor's rows by group and by country; small counts hidden if anonymous."""
    if not round_.is_anonymous:
        return figures.by_group, figures.by_country
    limit = anonymity.min_count(current_app.config)
    return (
        anonymity.shown_breakdown(figures.by_group, limit),
        anonymity.shown_breakdown(figures.by_country, limit),
    )


@bp.post("/rounds/<id:round_id>/close")
@role_required("coordinator")
def close_round(round_id: int) -> ResponseReturnValue:
    message = _l("Round %(id)d is closed. Every answer is kept; you can reopen it.")
    return _change_round(round_id, rounds.close_round, message)


@bp.post("/rounds/<id:round_id>/reopen")
@role_required("coordinator")
def reopen_round(round_id: int) -> ResponseReturnValue:
    return _change_round(round_id, rounds.reopen_round, _l("Round %(id)d is open again."))


def _change_round(round_id: int, change: rounds.RoundChange, done: str) -> ResponseReturnValue:
    """Close or reopen through the same service functions as the command line."""
    round_ = round_or_404(round_id)
    change(get_session(), round_, actor=actor())
    get_session().commit()
    flash(str(done) % {"id": round_.id})
    return redirect(url_for("coordinate.round_detail", round_id=round_.id))


@bp.post("/rounds/<id:round_id>/invite")
@role_required("coordinator")
def invite_groups(round_id: int) -> ResponseReturnValue:
    round_ = round_or_404(round_id)
    form = InviteForm()
    form.groups.choices = _group_choices()
    if not form.validate_on_submit():
        return _render_round(round_, form), 422
    db = get_session()
    added = rounds.invite_groups(db, round_, form.groups.data, actor=actor())
    db.commit()
    flash(ngettext("%(num)d participant invited.", "%(num)d participants invited.", added))
    return redirect(url_for("coordinate.round_detail", round_id=round_.id))


@bp.get("/rounds/<id:round_id>/links.csv")
@role_required("coordinator")
def links_csv(round_id: int) -> ResponseReturnValue:
    db = writing_session()
    round_ = round_or_404(round_id)
    rows = downloads.personal_links(db, round_, current_app.config["BASE_URL"], actor=actor())
    db.commit()
    header = ["name", "email", "language", "link"]
    cells = ([r.name, r.email, r.language, r.link] for r in rows)
    return csv_download(f"round-{round_.id}-links.csv", header, cells)


@bp.get("/rounds/<id:round_id>/non-respondents")
@role_required("coordinator")
def non_respondents(round_id: int) -> ResponseReturnValue:
    round_ = round_or_404(round_id)
    people = monitor.non_respondents(get_session(), round_)
    return render_template("coordinate/non_respondents.html", round=round_, people=people)


@bp.get("/rounds/<id:round_id>/non-respondents.csv")
@role_required("coordinator")
def non_respondents_csv(round_id: int) -> ResponseReturnValue:
    db = writing_session()
    round_ = round_or_404(round_id)
    people = downloads.non_respondents(db, round_, actor=actor())
    db.commit()
    header = ["name", "email", "organisation", "group", "country", "language"]
    if not round_.is_anonymous:
        header.append("started")
    cells = (_non_respondent_cells(p, round_.is_anonymous) for p in people)
    return csv_download(f"round-{round_.id}-non-respondents.csv", header, cells)


def _non_respondent_cells(person: monitor.NonRespondent, is_anonymous: bool) -> list[str]:
    cells = [person.name, person.email, person.organisation, person.group, person.country]
    cells.append(person.language)
    if not is_anonymous:
        cells.append("yes" if person.has_started else "no")
    return cells
