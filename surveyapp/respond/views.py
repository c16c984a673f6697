"""Respondent pages: start, one page per section, review, submit, thanks. Each view reads
the request and renders; the rules live in services (response_reads, response_writes,
page_save)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from ..db import begin_write, get_session, read_before_writing
from ..definitions import Section, Survey, visible_questions
from ..forms.dynamic import PageForm, TokenField, parse_section
from ..i18n import _, choose_language, use_language
from ..languages import INTERFACE_LANGUAGES
from ..services import anonymous, page_save, response_reads, response_writes, rounds
from ..services.page_answers import Action
from ..services.page_save import SavedPage
from ..services.response_reads import Link
from . import private_links
from .context import language_for, link_or_404, open_round_or_404, page_context
from .loop import start_page_outcomes
from .rendering import (
    invitation_only_begins,
    render_answers,
    render_page,
    render_review,
    returning_to_review,
    section_or_404,
    used_invitation,
)

bp = Blueprint("respond", __name__, template_folder="templates")
_ACTIONS: tuple[Action, ...] = ("next", "back", "review")  # the first is the default


@bp.get("/s/<token>")
def start(token: str) -> ResponseReturnValue:
    link, survey = link_or_404(token, with_answers=True)
    if anonymous.is_used(link):
        return used_invitation(link, survey)
    begins = anonymous.only_begins(link)
    return render_template(
        "respond/start.html",
        **page_context(link, survey),
        resume=None if begins else _resume_section(link, survey),
        begins=begins,
        private_link=private_links.address(link),
        form=TokenField(),
        **start_page_outcomes(link, g.page_lang),
    )


@bp.post("/s/<token>/begin")
def begin(token: str) -> ResponseReturnValue:
    """An anonymous round's invitation begins a response of its own, at a private link."""
    db = get_session()
    read_before_writing(db)
    link, survey = link_or_404(token)
    if not anonymous.only_begins(link):
        return redirect(url_for("respond.start", token=token), 303)
    private = None
    if not anonymous.is_used(link):
        begin_write(db)
        private = anonymous.begin_response(db, link, g.page_lang)
    if private is None:  # used before, or by another tab a moment ago
        db.rollback()
        return used_invitation(link, survey)
    db.commit()
    assert link.invitation_id is not None
    private_links.remember(link.invitation_id, private)
    return redirect(url_for("respond.start", token=private), 303)


@bp.get("/s/<token>/p/<section_id>")
def page(token: str, section_id: str) -> ResponseReturnValue:
    link, survey = link_or_404(token, with_answers=True)
    if anonymous.only_begins(link):
        return invitation_only_begins(link, survey)
    stored = link.stored_answers()
    shown = visible_questions(survey, response_reads.condition_values(stored))
    section = section_or_404(survey, section_id)
    if section not in response_reads.sections_showing(survey, shown):
        abort(404)
    return render_page(link, survey, section, stored, {}, shown=shown)


@bp.post("/s/<token>/p/<section_id>")
def save(token: str, section_id: str) -> ResponseReturnValue:
    db = get_session()
    # The link is read and the page parsed before the write begins: on SQLite the write
    # lock, which every worker's saves queue for, is held only for the write itself.
    read_before_writing(db)
    # With its answers: the save is worked out from them before it writes (page_save).
    link, survey = link_or_404(token, with_answers=True)
    if anonymous.only_begins(link):
        return invitation_only_begins(link, survey)
    section = section_or_404(survey, section_id)
    cleared = _cleared_field(section, request.form.get("_clear"))
    form = _without(request.form, cleared) if cleared else request.form
    parsed = parse_section(section, form)
    action = next((a for a in _ACTIONS if a == request.form.get("action")), _ACTIONS[0])
    if cleared:
        action = "back"  # saves the page without asking for its required answers
    seen = set(request.form.get("_shown", "").split())
    begin_write(db)
    saved = page_save.save_page(
        db, link, survey, section, parsed, action=action, language=g.page_lang, seen=seen,
        returning=request.form.get("return") == "review",
    )  # fmt: skip
    db.commit()
    return _after_save(link, survey, section, saved, cleared)


def _after_save(
    link: Link, survey: Survey, section: Section, saved: SavedPage, cleared: str | None
) -> ResponseReturnValue:
    """Where a saved page leads: its errors (422), back to a cleared answer, the same page
    with the questions its answers revealed, the next page, or the review."""
    if saved.errors:
        return render_page(link, survey, section, saved.answers, saved.errors, posted=True), 422
    if cleared:  # back to the same page, at the question whose answer was cleared
        back: dict[str, Any] = {"return": "review"} if returning_to_review() else {}
        address = url_for("respond.page", token=link.token, section_id=section.id, **back)
        return redirect(address + "#q-" + cleared.replace(".", "-"), 303)
    if saved.revealed:
        notice = _("Based on your answers, more questions were added to this page.")
        return render_page(link, survey, section, saved.answers, {}, notice, saved.shown)
    if saved.target is not None:
        return redirect(url_for("respond.page", token=link.token, section_id=saved.target))
    return redirect(url_for("respond.review", token=link.token))


@bp.route("/s/<token>/review", methods=["GET", "POST"])
def review(token: str) -> ResponseReturnValue:
    db = get_session()
    if request.method == "POST":
        read_before_writing(db)  # as a save: the write lock only for the write
    link, survey = link_or_404(token, with_answers=True)
    if anonymous.only_begins(link):
        return invitation_only_begins(link, survey)
    missing = response_reads.missing_required(survey, link.stored_answers())
    if request.method == "POST" and PageForm().validate_on_submit() and not missing:
        begin_write(db)
        # An anonymous response knows no invitation: only the browser that began it does.
        invitation_id = link.invitation_id or private_links.invitation_of(token)
        missing = response_writes.submit_page(db, link, survey, g.page_lang, invitation_id)
        if not missing:
            db.commit()
            return redirect(url_for("respond.thanks", token=token))
        db.rollback()
    problems = missing if request.method == "POST" else []
    return render_review(link, survey, link.stored_answers(), problems), (422 if problems else 200)


@bp.get("/s/<token>/thanks")
def thanks(token: str) -> ResponseReturnValue:
    link, survey = link_or_404(token)
    if anonymous.only_begins(link):
        return invitation_only_begins(link, survey)
    if link.response is None or link.response.status != "submitted":
        return redirect(url_for("respond.start", token=token))
    private_link = private_links.address(link)
    return render_template(
        "respond/thanks.html", **page_context(link, survey), private_link=private_link
    )


@bp.get("/s/<token>/answers")
def answers(token: str) -> ResponseReturnValue:
    """A printable copy of one's answers: every question shown, with its answer."""
    link, survey = link_or_404(token, with_answers=True)
    if anonymous.only_begins(link):
        return invitation_only_begins(link, survey)
    return render_answers(link, survey, link.stored_answers())


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    """The accessibility statement, in English, Finnish or Swedish (?lang=)."""
    lang = choose_language(INTERFACE_LANGUAGES, explicit=request.args.get("lang"))
    use_language(lang)
    return render_template(
        "respond/accessibility.html",
        lang=lang,
        contact=current_app.config.get("ACCESSIBILITY_CONTACT"),
        lang_url=lambda code: url_for("respond.accessibility", lang=code),
        languages=INTERFACE_LANGUAGES,
    )


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """Browsers ask for /favicon.ico whatever the page links to."""
    return send_from_directory(
        Path(current_app.static_folder or "static"),
        "favicon.ico",
        mimetype="image/vnd.microsoft.icon",
        max_age=86400,
    )


@bp.route("/o/<token>", methods=["GET", "POST"])
def open_link(token: str) -> ResponseReturnValue:
    round_ = open_round_or_404(token)
    survey = rounds.round_survey(round_)
    lang = language_for(survey, None, request.args.get("lang"))
    use_language(lang)
    rounds.require_open(round_)
    started = session.get("open_responses", {})
    if request.method == "POST" and PageForm().validate_on_submit():
        response = response_writes.start_open_response(get_session(), round_, lang)
        get_session().commit()
        assert response.token is not None
        # Remember it in this browser, so coming back to the open link offers to continue.
        session["open_responses"] = {**started, str(round_.id): response.token}
        first = survey.sections[0].id
        return redirect(url_for("respond.page", token=response.token, section_id=first))
    return render_template(
        "respond/open.html",
        survey=survey,
        lang=lang,
        round=round_,
        form=TokenField(),
        resume_token=started.get(str(round_.id)),
        lang_url=lambda code: url_for("respond.open_link", token=token, lang=code),
    )


def _cleared_field(section: Section, name: str | None) -> str | None:
    """The field a "Clear" button names: a question of the page, or a row of its matrix."""
    if not name:
        return None
    qid, _dot, row = name.partition(".")
    question = next((q for q in section.questions if q.id == qid), None)
    if question is None or not question.is_answerable:
        return None
    if row and row not in {str(r.value) for r in question.rows}:
        return None
    return name


def _without(form: MultiDict[str, str], name: str) -> MultiDict[str, str]:
    """The posted form without the field `name` (and a choice's "Other" text)."""
    gone = {name, f"{name}.other"}
    return MultiDict([(k, v) for k, v in form.items(multi=True) if k not in gone])


def _resume_section(link: Link, survey: Survey) -> str | None:
    """Where a returning respondent continues: the last page they were sent to, if shown."""
    if link.response is None or link.response.last_section is None:
        return None
    ids = [s.id for s in response_reads.visible_sections(survey, link.stored_answers())]
    last = link.response.last_section
    return last if last in ids else (ids[0] if ids else None)


from . import outcomes_views  # noqa: E402, F401  (registers its routes on bp)
