"""Guessed personal links: past TOKEN_GUESS_LIMIT unknown links from one address within the
window, every link this browser has not opened before gets 429, known or not, so a guesser
cannot tell a hit from a miss (the same counter and rule as the survey links')."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, request, session
from werkzeug.exceptions import TooManyRequests

from ..ratelimit import Limiter, LimiterUnavailable

T = TypeVar("T")
KNOWN = "known_review_links"  # short hashes of the review links this browser opened
MAX_KNOWN = 20
log = logging.getLogger(__name__)


def fingerprint(token: str) -> str:
    """A short hash of a link's token, to keep in the session instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def _limiter() -> Limiter:
    limiter: Limiter = current_app.extensions["link_limiter"]
    return limiter


def counted(token: str, resolve: Callable[[str], T | None]) -> T | None:
    """`resolve(token)`, with unknown tokens counted per client address."""
    limit = current_app.config["TOKEN_GUESS_LIMIT"]
    key = f"link-miss:{request.remote_addr}"
    known = fingerprint(token) in session.get(KNOWN, ())
    if limit and not known and _safely(_limiter().count, key, 0) >= limit:
        raise TooManyRequests(retry_after=current_app.config["TOKEN_GUESS_WINDOW_SECONDS"])
    found = resolve(token)
    if found is None and limit:
        _safely(_limiter().hit, key, None)
    elif found is not None and not known:
        session[KNOWN] = [*session.get(KNOWN, ()), fingerprint(token)][-MAX_KNOWN:]
    return found


def _safely(call: Callable[[str], T], key: str, fallback: T) -> T:
    """The limiter's answer; `fallback` when Redis is out of reach (reviewing goes on)."""
    try:
        return call(key)
    except LimiterUnavailable as error:
        log.warning("review link guessing not counted: %s", error)
        return fallback
