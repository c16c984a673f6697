"""Every error page, registered in one place (`register`): which page answers which error.

- a domain error (surveyapp.errors): its status, with a message a visitor may read;
- an HTTP error: its status, with a title and message for those a visitor can act on
  (unreadable input, too many fields, a body too large);
- a refused form token (CSRF): "this form has expired";
- the database out of reach: the 503 "try again" page of surveyapp.unavailable.

Two pages need a blueprint's own form and template, so that blueprint builds them and
surveyapp.app hands them to `register` (this package imports no blueprint): a respondent's
expired form token on a survey page shows the page again with the typed answers
(`handle_csrf_error` in surveyapp/respond/expired_form.py), and a workspace upload over the size
limit shows the import page with the limit (`too_large_page` in
surveyapp/coordinate/participants_views.py).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..db import get_session
from ..errors import NotFound, RoundClosed, RoundNotOpenYet, SurveyAppError
from ..i18n import _
from ..request_limits import TooManyFields
from ..unavailable import database_unavailable
from .input_checks import UnreadableInput

CsrfPage = Callable[[CSRFError], ResponseReturnValue]
TooLargePage = Callable[[RequestEntityTooLarge], ResponseReturnValue]


def register(
    app: Flask,
    *,
    csrf_pages: Mapping[str, CsrfPage],
    too_large_pages: Mapping[str, TooLargePage],
) -> None:
    """Register every error handler of the application.

    `csrf_pages` answer a refused form token by endpoint, `too_large_pages` a body over the
    limit by blueprint; every other request gets the pages of this module.
    """

    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return _csrf_error(error, csrf_pages.get(request.endpoint or ""))

    def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
        own_page = too_large_pages.get(request.blueprint or "")
        return own_page(error) if own_page else http_error(error)

    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(SurveyAppError, domain_error)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(PoolTimeout, database_unavailable)


def domain_error(error: SurveyAppError) -> tuple[str, int]:
    get_session().rollback()
    code = error.status_code
    return render_template("errors/error.html", code=code, message=_public_message(error)), code


def _public_message(error: SurveyAppError) -> str:
    """What a visitor may read, in their language; reveals nothing about other rounds."""
    if isinstance(error, RoundClosed):
        return _(
            "This survey round has closed, so answers can no longer be given or changed. "
            "Thank you for your interest."
        )
    if isinstance(error, RoundNotOpenYet):
        return _("This survey round is not open yet. Please use your link again when it opens.")
    if isinstance(error, NotFound):
        return _("This link is not valid.")
    return str(error)


def _csrf_error(error: CSRFError, own_page: CsrfPage | None) -> ResponseReturnValue:
    """An expired or missing form token never throws typed answers away."""
    _release_frames(error)
    if own_page is not None:
        try:
            return own_page(error)
        except SurveyAppError as problem:  # an unknown, closed or guessed link: its own page
            return domain_error(problem)
        except HTTPException as problem:
            return http_error(problem)
    message = _("This form has expired. Go back to the previous page and send it again.")
    return render_template("errors/error.html", code=400, message=message), 400


def _release_frames(error: BaseException) -> None:
    """Clear the finished frames behind a refused form token.

    itsdangerous keeps the BadSignature it raises in a local variable of a frame in that
    exception's own traceback: a reference cycle that, through each frame's caller, held the
    whole request (a posted body of up to MAX_CONTENT_LENGTH) until the garbage collector
    happened to run, and a worker's memory grew with each such post (tests/security).
    """
    seen: set[int] = set()
    found: BaseException | None = error
    while found is not None and id(found) not in seen:
        seen.add(id(found))
        traceback.clear_frames(found.__traceback__)  # frames still running are left alone
        found = found.__cause__ or found.__context__


def http_error(error: HTTPException) -> ResponseReturnValue:
    if request.path.startswith("/static/"):
        return error
    code = error.code or 500
    title, message = _explain(error)
    page = render_template("errors/error.html", code=code, title=title, message=message)
    # Keep headers such as Retry-After and Allow; the page brings its own Content-Type.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return page, code, headers


def _explain(error: HTTPException) -> tuple[str | None, str | None]:
    """A title and message for errors a visitor can do something about."""
    if isinstance(error, UnreadableInput):
        return _("The text could not be read"), _(
            "What you sent contains characters that cannot be read (text that is not valid "
            "UTF-8, or a NUL character), so nothing was saved. Go back, check any text you "
            "pasted, and send it again."
        )
    if isinstance(error, TooManyFields):
        return _("Too much at once"), _(
            "What you sent has more than %(count)d fields, so nothing was saved. Go back "
            "and send the page again.",
            count=current_app.config["MAX_FORM_PARTS"],
        )
    if isinstance(error, RequestEntityTooLarge):
        limit = f"{(current_app.config['MAX_CONTENT_LENGTH'] or 0) / (1024 * 1024):g}"
        return _("Too much at once"), _(
            "What you sent is larger than %(size)s MB, so nothing was saved. Go back, "
            "shorten your longest answers, and send the page again.",
            size=limit,
        )
    public = getattr(error, "public_message", None)
    if public is not None:
        return getattr(error, "public_title", None), str(public)
    return None, None
