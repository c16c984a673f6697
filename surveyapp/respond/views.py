"""Respondent pages: start, one page per section, review, submit, thanks."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .. import unavailable
from ..db import begin_write, get_session, read_before_writing, utcnow
from ..definitions import Question, Section, Survey, visible_questions
from ..forms.dynamic import PageForm, TokenField, display_values, parse_section
from ..i18n import _, use_language
from ..services import anonymous, responses, rounds
from ..services.responses import Link
from . import page_shell, private_links
from .context import language_for, link_or_404, open_round_or_404, page_context
from .pages import (
    answer_text,
    appeared_questions,
    merged_answers,
    posted_errors,
    save_page,
    section_ids,
    stored_display_values,
)
from .question_html import questions_html

bp = Blueprint("respond", __name__, template_folder="templates")


@bp.get("/s/<token>")
def start(token: str) -> ResponseReturnValue:
    link, survey = link_or_404(token, with_answers=True)
    if anonymous.is_used(link):
        return _used_invitation(link, survey)
    begins = anonymous.only_begins(link)
    resume = None if begins else _resume_section(link, survey, link.stored_answers())
    return render_template(
        "respond/start.html",
        **page_context(link, survey),
        resume=resume,
        begins=begins,
        private_link=private_links.address(link),
        form=TokenField(),
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
        return _used_invitation(link, survey)
    db.commit()
    assert link.invitation_id is not None
    private_links.remember(link.invitation_id, private)
    return redirect(url_for("respond.start", token=private), 303)


@bp.get("/s/<token>/p/<section_id>")
def page(token: str, section_id: str) -> ResponseReturnValue:
    link, survey = link_or_404(token, with_answers=True)
    if anonymous.only_begins(link):
        return _invitation_only_begins(link, survey)
    stored = link.stored_answers()
    shown = visible_questions(survey, responses.condition_values(stored))
    section = _section_or_404(survey, section_id)
    if section not in responses.sections_showing(survey, shown):
        abort(404)
    values = stored_display_values(stored)
    return _render_page(link, survey, section, stored, values, {}, shown=shown)


@bp.post("/s/<token>/p/<section_id>")
def save(token: str, section_id: str) -> ResponseReturnValue:
    db = get_session()
    # The link is read and the page parsed before the write begins: on SQLite the write
    # lock, which every worker's saves queue for, is held only for the write itself.
    read_before_writing(db)
    link, survey = link_or_404(token)
    if anonymous.only_begins(link):
        return _invitation_only_begins(link, survey)
    section = _section_or_404(survey, section_id)
    action = request.form.get("action", "next")
    parsed = parse_section(section, request.form)
    begin_write(db)
    # Created on the first save, in the language its page was shown in.
    response = responses.ensure_response(db, link, g.page_lang)  # and the answers, locked
    check_required = action != "back"
    result = save_page(
        db, response, link.stored_answers(), survey, section, parsed, check_required=check_required
    )
    # Everything is decided inside the one write transaction, then committed once.
    stored = result.answers
    shown = visible_questions(survey, responses.condition_values(stored))
    notice, target = None, None
    revealed = action != "back" and appeared_questions(section, stored, shown, request.form)
    if not result.errors and revealed:
        notice = _("Based on your answers, more questions were added to this page.")
    if not result.errors and notice is None:
        target = _section_after(survey, shown, section, action)
    if result.stored:
        # A returning respondent continues on the page they were sent to (or stayed on).
        responses.update_response(
            db, response, updated_at=utcnow(), last_section=target or section.id
        )
    db.commit()
    if result.errors:
        values = {**stored_display_values(stored), **display_values(section, request.form)}
        return _render_page(link, survey, section, stored, values, result.errors), 422
    if notice is not None:
        values = stored_display_values(stored)
        return _render_page(link, survey, section, stored, values, {}, notice=notice)
    if target is not None:
        return redirect(url_for("respond.page", token=token, section_id=target))
    return redirect(url_for("respond.review", token=token))


@bp.route("/s/<token>/review", methods=["GET", "POST"])
def review(token: str) -> ResponseReturnValue:
    db = get_session()
    if request.method == "POST":
        read_before_writing(db)  # as a save: the write lock only for the write
    link, survey = link_or_404(token, with_answers=True)
    if anonymous.only_begins(link):
        return _invitation_only_begins(link, survey)
    stored = link.stored_answers()
    missing = responses.missing_required(survey, stored)
    if request.method == "POST" and PageForm().validate_on_submit() and not missing:
        begin_write(db)
        response = responses.ensure_response(db, link, g.page_lang)  # answers again, locked
        stored = link.stored_answers()
        missing = responses.missing_required(survey, stored)  # another tab may have saved
        if not missing:
            responses.submit_response(db, response, survey)
            # An anonymous response knows no invitation: only the browser that began it does.
            invitation_id = link.invitation_id or private_links.invitation_of(token)
            if invitation_id is not None:
                responses.mark_invitation_submitted(db, invitation_id, link.round.id)
            db.commit()
            return redirect(url_for("respond.thanks", token=token))
        db.rollback()
    problems = missing if request.method == "POST" else []
    return _render_review(link, survey, stored, problems), (422 if problems else 200)


def _render_review(
    link: Link,
    survey: Survey,
    stored: dict[str, Any],
    problems: list[Question],
    notice: str | None = None,
) -> str:
    return render_template(
        "respond/review.html",
        **page_context(link, survey),
        sections=responses.visible_sections(survey, stored),
        stored=stored,
        problems=problems,
        notice=notice,
        section_of={q.id: s.id for s in survey.sections for q in s.questions},
        answer_text=answer_text,
        form=TokenField(),
    )


@bp.get("/s/<token>/thanks")
def thanks(token: str) -> ResponseReturnValue:
    link, survey = link_or_404(token)
    if anonymous.only_begins(link):
        return _invitation_only_begins(link, survey)
    if link.response is None or link.response.status != "submitted":
        return redirect(url_for("respond.start", token=token))
    private_link = private_links.address(link)
    return render_template(
        "respond/thanks.html", **page_context(link, survey), private_link=private_link
    )


def _invitation_only_begins(link: Link, survey: Survey) -> ResponseReturnValue:
    """An anonymous round's invitation link opens no answers: once used it says so (and a
    POST writes nothing); before that, its start page is where it begins."""
    if anonymous.is_used(link):
        return _used_invitation(link, survey)
    return redirect(url_for("respond.start", token=link.token), 303)


def _used_invitation(link: Link, survey: Survey) -> ResponseReturnValue:
    """The page of a used invitation; a continue button only where this browser began it."""
    assert link.invitation_id is not None
    context = page_context(link, survey)
    # The switcher leads to the start page: /begin and the POST-only pages have no GET.
    context["lang_url"] = lambda code: url_for("respond.start", token=link.token, lang=code)
    html = render_template(
        "respond/used.html", **context, private_token=private_links.token_of(link.invitation_id)
    )
    # A POST changed nothing: the invitation is no longer in the state it asks for.
    return html, (409 if request.method == "POST" else 200)


@bp.route("/o/<token>", methods=["GET", "POST"])
def open_link(token: str) -> ResponseReturnValue:
    db = get_session()
    round_ = open_round_or_404(token)
    survey = rounds.round_survey(round_)
    lang = language_for(survey, None, request.args.get("lang"))
    use_language(lang)
    rounds.require_open(round_)
    started = session.get("open_responses", {})
    if request.method == "POST" and PageForm().validate_on_submit():
        response = responses.start_open_response(db, round_, lang)
        db.commit()
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


def handle_csrf_error(error: CSRFError) -> ResponseReturnValue:
    """A respondent whose session expired keeps every typed answer: show the page again.

    Anyone can post here with any token, so each posted value is held to its question's
    limit before the page is rendered, and one that breaks it gets the question's message;
    the questions the posted answers show are shown, as the save would have shown them.
    """
    token = request.view_args["token"]  # type: ignore[index]
    try:
        link, survey = link_or_404(token, with_answers=True)
        if anonymous.only_begins(link):  # it has no answers to keep, and shows none
            return _invitation_only_begins(link, survey)
        stored = link.stored_answers()
        if request.endpoint == "respond.review":
            return _expired_review(link, survey, stored)
        section = _section_or_404(survey, request.view_args["section_id"])  # type: ignore[index]
    except (OperationalError, PoolTimeout) as unreachable:
        # An error handler's own errors skip the other handlers: send the page back from here.
        return unavailable.database_unavailable(unreachable)
    parsed = parse_section(section, request.form)
    shown = visible_questions(survey, responses.condition_values(merged_answers(stored, parsed)))
    errors = posted_errors(section, parsed, shown)
    values = {**stored_display_values(stored), **display_values(section, request.form)}
    notice = _(
        "Your session had expired, so this page was not saved yet. "
        "Your answers are still here: check them and send the page again."
    )
    page = _render_page(link, survey, section, stored, values, errors, notice, shown)
    return page, 400


def _expired_review(link: Link, survey: Survey, stored: dict[str, Any]) -> ResponseReturnValue:
    """Submit with an expired form token: the answers are all stored; ask to submit again."""
    notice = _(
        "Your session had expired, so your answers were not submitted yet. "
        "They are all saved: check them and submit again."
    )
    return _render_review(link, survey, stored, [], notice=notice), 400


def _render_page(
    link: Link,
    survey: Survey,
    section: Section,
    stored: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    notice: str | None = None,
    shown: Container[str] | None = None,
) -> str:
    """The page; `shown` (the questions the stored answers show) if worked out already."""
    conditions = responses.condition_values(stored)
    if shown is None:
        shown = visible_questions(survey, conditions)
    sections = responses.sections_showing(survey, shown)
    number = next((i for i, s in enumerate(sections, 1) if s.id == section.id), len(sections))
    returning = request.args.get("return") == "review" or request.form.get("return") == "review"
    shown_ids = [q.id for q in section.questions if q.id in shown]
    on_page = section_ids(section)
    answers_json = page_shell.tojson({k: v for k, v in conditions.items() if k not in on_page})
    context = {
        **page_context(link, survey, section_id=section.id),
        "section": section,
        "number": number,
        "total": len(sections),
        "is_first": number == 1,
        "values": values,
        "errors": errors,
        "shown": shown_ids,
        "answers_json": answers_json,
        "notice": notice,
        "form": TokenField(),
        "questions_html": questions_html,
        "returning": returning,
    }
    if errors or notice is not None or not page_shell.can_fill(link.token):
        return render_template("respond/page.html", **context)

    def shell_context() -> dict[str, Any]:
        # Everything that differs between respondents is a marker (page_shell.py).
        return {
            **context,
            **page_context(link, survey, section_id=section.id, token=page_shell.marker("token")),
            "link": None,
            "response": None,
            "values": {},
            "shown": [page_shell.marker("shown")],
            "answers_json": page_shell.markup("answers"),
            "form": _ShellForm(),
            "questions_html": lambda *_args: page_shell.markup("questions"),
        }

    slots = {
        "token": link.token,
        "csrf": str(TokenField().csrf_token),
        "shown": page_shell.escaped(" ".join(shown_ids)),
        "answers": str(answers_json),
        "questions": str(questions_html(section.questions, g.page_lang, values, {}, shown_ids)),
    }
    key = (request.endpoint, section.id, g.page_lang, str(get_locale()), number, len(sections))
    return page_shell.render("respond/page.html", survey, (*key, returning), shell_context, slots)


class _ShellForm:
    csrf_token = page_shell.markup("csrf")


def _section_or_404(survey: Survey, section_id: str) -> Section:
    try:
        return survey.section(section_id)
    except KeyError:
        abort(404)


def _resume_section(link: Link, survey: Survey, stored: dict[str, Any]) -> str | None:
    if link.response is None or link.response.last_section is None:
        return None
    ids = [s.id for s in responses.visible_sections(survey, stored)]
    last = link.response.last_section
    return last if last in ids else (ids[0] if ids else None)


def _section_after(
    survey: Survey, shown: Container[str], section: Section, action: str
) -> str | None:
    """The page a saved page leads to (`shown`: the questions shown); None for the review."""
    ids = [s.id for s in responses.sections_showing(survey, shown)]
    index = ids.index(section.id) if section.id in ids else 0
    if action == "back":
        return ids[max(index - 1, 0)]
    if action == "review" or request.form.get("return") == "review" or index + 1 >= len(ids):
        return None
    return ids[index + 1]
