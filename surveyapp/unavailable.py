"""The database cannot be reached: a 503 "try again" page that keeps what was sent.

When the database is down, locked beyond the busy timeout, or the connection pool has no
connection to give, a respondent gets a short page in their language saying the service is
briefly unavailable. A survey page that was being sent comes back as hidden fields in a form
that posts the same data to the same address, so nothing typed is lost and no script is
needed. The language cannot come from the database then: it is the
page's language if it was known before the failure, else the visitor's explicit or
remembered choice, then the browser's, then English.
"""

from __future__ import annotations

import contextlib
import logging

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, refresh
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from .definitions.questions import MAX_TEXT_LENGTH
from .logs import redact

RETRY_AFTER_SECONDS = 10
# Without the database the survey, and so each question's limit, is unknown: a value is held
# to the longest answer any question accepts, plus one character, so that sending it again
# still gets its question's length message instead of storing a silently shortened answer.
# (A browser's maxlength keeps what a person types within its question's limit.)
MAX_RESENT_VALUE = MAX_TEXT_LENGTH + 1
MAX_RESENT_NAME = 1_000  # far longer than any field name of a respondent's form
# Posts that come back as a form to send again; a workspace form may hold a password or a
# file, which never go into a page.
RESENDABLE_BLUEPRINTS = ("respond",)

log = logging.getLogger(__name__)


def database_unavailable(error: Exception) -> ResponseReturnValue:
    """The 503 "try again" page (the handler of OperationalError and the pool's TimeoutError,
    registered with the other error pages in surveyapp/web/error_pages.py)."""
    log.error(
        "database unavailable during %s %s: %s",
        request.method,
        redact(request.path),
        redact(_reason(error)),
    )
    _discard_session()
    refresh()  # choose the language again, without the database
    lang = str(get_locale() or "en")
    resend = _resendable_fields()
    # The visitor's own address (with their token): shown only to them, never logged.
    retry_url = request.full_path.rstrip("?")
    html = render_template(
        "errors/unavailable.html",
        page_lang=lang,
        is_post=request.method == "POST",
        resend=resend,
        retry_url=retry_url,
    )
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return html, 503, headers


def _reason(error: Exception) -> str:
    """The driver's message only: SQLAlchemy's text adds the statement and its parameters,
    which may hold answers and tokens."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        first_line = (str(error.orig).strip().splitlines() or [""])[0]
        return f"{type(error.orig).__name__}: {first_line}"
    return type(error).__name__


def _discard_session() -> None:
    """Roll back and close the request's session, so its connection goes back (or away)."""
    session = g.pop("db_session", None)
    if session is None:
        return
    # A dead connection may fail to roll back; closing still hands it back to be discarded.
    with contextlib.suppress(SQLAlchemyError):
        session.rollback()
    with contextlib.suppress(SQLAlchemyError):
        session.close()


def _resendable_fields() -> list[tuple[str, str]] | None:
    """Every posted field of a respondent's form, in order; None when nothing is resent."""
    if request.method != "POST" or request.blueprint not in RESENDABLE_BLUEPRINTS:
        return None
    if request.files:
        return None
    return [
        (name, value[:MAX_RESENT_VALUE])
        for name, value in request.form.items(multi=True)
        if len(name) <= MAX_RESENT_NAME
    ]
