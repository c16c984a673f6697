"""Loading a respondent's link and choosing the page language."""

from __future__ import annotations

from typing import Any

from flask import g, request, session, url_for

from ..db import begin_write, get_session
from ..definitions import Survey
from ..i18n import choose_language, use_language
from ..services import responses, rounds
from ..services.responses import Link


def link_or_404(token: str) -> tuple[Link, Survey]:
    """The link's round must exist and be open; unknown, early and late links get their page."""
    db = get_session()
    link = responses.resolve_link(db, token)
    survey = rounds.round_survey(link.round)
    use_language(language_for(survey, link, None))
    rounds.require_open(link.round)
    lang = language_for(survey, link, request.args.get("lang"))
    if link.response is not None and request.args.get("lang") == lang != link.response.language:
        # An explicit choice follows the respondent to other devices. A GET writes it in a
        # transaction of its own; a POST commits it with its save, in its one transaction.
        if request.method == "GET":
            begin_write(db)
        link.response.language = lang
        if request.method == "GET":
            db.commit()
    use_language(lang)
    return link, survey


def language_for(survey: Survey, link: Link | None, explicit: str | None) -> str:
    """Explicit choice → earlier choice → the participant's language → browser → default."""
    remembered = link.response.language if link and link.response else None
    participant = link.participant if link else None
    for candidate in (explicit, session.get("lang"), remembered):
        if candidate in survey.languages:
            return str(candidate)
    return choose_language(
        survey.languages, preferred=participant.language if participant else None
    )


def page_context(link: Link, survey: Survey, section_id: str | None = None) -> dict[str, Any]:
    """What every respondent template needs."""
    lang = g.page_lang

    def lang_url(code: str) -> str:
        args = dict(request.view_args or {})
        return url_for(request.endpoint or "respond.start", **args, lang=code)

    return {
        "survey": survey,
        "lang": lang,
        "link": link,
        "token": link.token,
        "response": link.response,
        "lang_url": lang_url,
        "section_id": section_id,
        "is_anonymous": link.round.is_anonymous,
    }
