"""Loading a respondent's link and choosing the page language."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from babel.dates import format_date, format_time
from flask import current_app, g, request, session, url_for
from werkzeug.exceptions import TooManyRequests

from ..db import get_session, read_connection
from ..definitions import Survey
from ..errors import UnknownLink
from ..i18n import _, choose_language, use_language
from ..languages import INTERFACE_LANGUAGES
from ..models import Round
from ..ratelimit import Limiter, LimiterUnavailable
from ..services import response_reads, rounds
from ..services.response_reads import Link

T = TypeVar("T")
KNOWN_LINKS = "known_links"  # short hashes of the links this browser has opened
MAX_KNOWN_LINKS = 20
log = logging.getLogger(__name__)


class TooManyUnknownLinks(TooManyRequests):
    """Too many unknown links tried from one address within the window."""

    @property
    def public_title(self) -> str:
        return _("Too many unknown links")

    @property
    def public_message(self) -> str:
        minutes = math.ceil(current_app.config["TOKEN_GUESS_WINDOW_SECONDS"] / 60)
        return _(
            "Too many links that do not exist were opened from your network in a short "
            "time. Wait %(minutes)d minutes, then open your link again. Links already "
            "opened in this browser keep working.",
            minutes=minutes,
        )


def resolve_counted(token: str, resolve: Callable[[str], T]) -> T:
    """Resolve a token, counting unknown ones per client address.

    Past TOKEN_GUESS_LIMIT unknown tokens in the window, the address gets 429 for every link
    this browser has not opened before, valid or not, so a guesser cannot tell a hit from a
    miss. Links the browser's session already knows keep working: people behind the same
    address (a city office's NAT) who have opened their link keep answering.
    """
    limit = current_app.config["TOKEN_GUESS_LIMIT"]
    known = _fingerprint(token) in session.get(KNOWN_LINKS, ())
    key = f"link-miss:{request.remote_addr}"
    if limit and not known and _count(key) >= limit:
        raise TooManyUnknownLinks(retry_after=current_app.config["TOKEN_GUESS_WINDOW_SECONDS"])
    try:
        found = resolve(token)
    except UnknownLink:
        if limit:
            _hit(key)
        raise
    if not known:
        remembered = [*session.get(KNOWN_LINKS, ()), _fingerprint(token)]
        session[KNOWN_LINKS] = remembered[-MAX_KNOWN_LINKS:]
    return found


def _fingerprint(token: str) -> str:
    """Enough of a hash to recognise a link; the session cookie never holds the token."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def _limiter() -> Limiter:
    limiter: Limiter = current_app.extensions["link_limiter"]
    return limiter


def _count(key: str) -> int:
    """Unknown links from this address so far; 0 if Redis is down (answering goes on)."""
    try:
        return _limiter().count(key)
    except LimiterUnavailable as error:
        log.warning("link guessing limit not checked: %s", error)
        return 0


def _hit(key: str) -> None:
    try:
        _limiter().hit(key)
    except LimiterUnavailable as error:
        log.warning("unknown link not counted: %s", error)


def open_round_or_404(token: str) -> Round:
    """The round of an open link, counted like a personal link."""
    return resolve_counted(token, partial(response_reads.resolve_open_link, get_session()))


def link_or_404(token: str, *, with_answers: bool = False) -> tuple[Link, Survey]:
    """The link's round must exist and be open; unknown, early and late links get their page.

    With answers, `link.stored_answers()` holds the response's stored answers.
    """
    reads = read_connection()  # a page only reads: a chosen language is stored by a save
    link = resolve_counted(
        token, partial(response_reads.resolve_link, reads, with_answers=with_answers)
    )
    survey = response_reads.link_survey(reads, link)
    # A page and the review post the language they were shown in: a choice not stored yet
    # lives in the session, and a form sent after the session expired still carries it.
    chosen = request.args.get("lang") or request.form.get("_lang")
    use_language(language_for(survey, link, chosen))
    rounds.require_open(link.round)  # a closed round's page is in that language too
    return link, survey


def language_for(survey: Survey, link: Link | None, explicit: str | None) -> str:
    """Explicit choice → earlier choice → the participant's language → browser → default."""
    remembered = link.response.language if link and link.response else None
    for candidate in (explicit, session.get("lang"), remembered):
        if candidate in survey.languages:
            return str(candidate)
    return choose_language(survey.languages, preferred=link.participant_language if link else None)


def page_context(
    link: Link, survey: Survey, section_id: str | None = None, token: str | None = None
) -> dict[str, Any]:
    """What every respondent template needs; `token` stands in for the link's in URLs."""
    lang = g.page_lang
    token = link.token if token is None else token

    def lang_url(code: str) -> str:
        args = {**(request.view_args or {}), "token": token}
        return url_for(request.endpoint or "respond.start", **args, lang=code)

    return {
        "survey": survey,
        "lang": lang,
        "link": link,
        "token": token,
        "response": link.response,
        "lang_url": lang_url,
        "section_id": section_id,
        "is_anonymous": link.round.is_anonymous,
        "closes": closing_time(link.round.closes_at, lang),
    }


def closing_time(closes_at: dt.datetime | None, lang: str) -> str | None:
    """When the round closes, in words of `lang` (times are UTC throughout the app)."""
    if closes_at is None:
        return None
    when = rounds.as_utc(closes_at)
    assert when is not None
    locale = lang if lang in INTERFACE_LANGUAGES else "en"
    day = format_date(when.date(), "long", locale=locale)
    time = format_time(when.time(), "short", locale=locale)
    return f"{day} {time} UTC"
