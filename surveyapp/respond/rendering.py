"""The respondent's pages as HTML: a survey page, the review, a used invitation."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from flask import abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from ..definitions import Question, Section, Survey, visible_questions
from ..forms.dynamic import TokenField, display_values
from ..services import anonymous
from ..services.response_reads import Link, condition_values, sections_showing, visible_sections
from . import page_shell, private_links
from .answer_display import answer_text, matrix_rows, section_ids, stored_display_values
from .context import page_context
from .question_html import questions_html


def section_or_404(survey: Survey, section_id: str) -> Section:
    try:
        return survey.section(section_id)
    except KeyError:
        abort(404)


def returning_to_review() -> bool:
    """The respondent came to this page from the review page (and goes back there)."""
    return "review" in (request.args.get("return"), request.form.get("return"))


def render_page(
    link: Link,
    survey: Survey,
    section: Section,
    stored: dict[str, Any],
    errors: dict[str, str],
    notice: str | None = None,
    shown: Container[str] | None = None,
    *,
    posted: bool = False,
) -> str:
    """A survey page with the `stored` answers, over them what was `posted` if asked;
    `shown` (the questions the stored answers show) if worked out already."""
    conditions = condition_values(stored)
    if shown is None:
        shown = visible_questions(survey, conditions)
    values = stored_display_values(stored)
    if posted:
        values.update(display_values(section, request.form))
    sections = sections_showing(survey, shown)
    number = next((i for i, s in enumerate(sections, 1) if s.id == section.id), len(sections))
    on_page = section_ids(section)  # the page's own answers: its script reads the inputs
    elsewhere = {k: v for k, v in conditions.items() if k not in on_page}
    context = {
        **page_context(link, survey, section_id=section.id),
        "section": section,
        "number": number,
        "total": len(sections),
        "is_first": number == 1,
        "values": values,
        "errors": errors,
        "shown": [q.id for q in section.questions if q.id in shown],
        "answers_json": page_shell.tojson(elsewhere),
        "notice": notice,
        "form": TokenField(),
        "questions_html": questions_html,
        "returning": returning_to_review(),
    }
    if errors or notice is not None or not page_shell.can_fill(link.token):
        return render_template("respond/page.html", **context)
    return _from_shell(link, survey, section, context)


def _from_shell(link: Link, survey: Survey, section: Section, context: dict[str, Any]) -> str:
    """The page from its cached shell (page_shell.py), the respondent's parts filled in."""

    def shell_context() -> dict[str, Any]:
        # Everything that differs between respondents is a marker.
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

    shown, values = context["shown"], context["values"]
    slots = {
        "token": link.token,
        "csrf": str(TokenField().csrf_token),
        "shown": page_shell.escaped(" ".join(shown)),
        "answers": str(context["answers_json"]),
        "questions": str(questions_html(section.questions, g.page_lang, values, {}, shown)),
    }
    page = (context["number"], context["total"], context["returning"], context["closes"])
    key = (request.endpoint, section.id, g.page_lang, str(get_locale()), *page)
    return page_shell.render("respond/page.html", survey, key, shell_context, slots)


class _ShellForm:
    csrf_token = page_shell.markup("csrf")


def render_review(
    link: Link,
    survey: Survey,
    stored: dict[str, Any],
    problems: list[Question],
    notice: str | None = None,
) -> str:
    return render_template(
        "respond/review.html",
        **page_context(link, survey),
        sections=visible_sections(survey, stored),
        stored=stored,
        problems=problems,
        notice=notice,
        section_of={q.id: s.id for s in survey.sections for q in s.questions},
        answer_text=answer_text,
        matrix_rows=matrix_rows,
        form=TokenField(),
    )


def render_answers(link: Link, survey: Survey, stored: dict[str, Any]) -> str:
    """A printable copy of the answers: the review's list without its links and buttons."""
    return render_template(
        "respond/answers.html",
        **page_context(link, survey),
        sections=visible_sections(survey, stored),
        stored=stored,
        answer_text=answer_text,
        matrix_rows=matrix_rows,
    )


def invitation_only_begins(link: Link, survey: Survey) -> ResponseReturnValue:
    """An anonymous round's invitation link opens no answers: once used it says so (and a
    POST writes nothing); before that, its start page is where it begins."""
    if anonymous.is_used(link):
        return used_invitation(link, survey)
    return redirect(url_for("respond.start", token=link.token), 303)


def used_invitation(link: Link, survey: Survey) -> ResponseReturnValue:
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
