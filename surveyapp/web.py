"""Wiring shared by every page: blueprints, security headers, error pages, template helpers."""

from __future__ import annotations

import json
import traceback
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge

from . import i18n, unavailable
from .db import get_session
from .definitions.schema import AllOf, AnyOf, Condition, Not, Option, Question, localize
from .errors import NotFound, RoundClosed, RoundNotOpenYet, SurveyAppError
from .i18n import _, _l
from .ratelimit import make_limiter
from .request_limits import IdConverter, TooManyFields, refuse_oversize_input
from .respond.question_html import checked_attr, shown_answer

STATE_NAMES = {
    "draft": _l("draft"),
    "open": _l("open"),
    "not_yet_open": _l("not open yet"),
    "closed": _l("closed"),
}

# No inline script anywhere: a stored answer or survey text can never run as code.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Register blueprints, hooks and error handlers."""
    from .auth.access import current_user
    from .auth.views import bp as auth_bp
    from .coordinate.mail_views import bp as mail_bp
    from .coordinate.views import bp as coordinate_bp
    from .feedback.views import bp as feedback_bp
    from .health import bp as health_bp
    from .preview.views import bp as preview_bp
    from .respond.views import bp as respond_bp
    from .results.views import bp as results_bp

    app.url_map.converters["id"] = IdConverter  # before any rule uses it
    app.register_blueprint(health_bp)
    app.register_blueprint(preview_bp)
    app.register_blueprint(respond_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(coordinate_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(results_bp)
    prefix = app.config["RATELIMIT_PREFIX"]
    guess_window = app.config["TOKEN_GUESS_WINDOW_SECONDS"]
    app.extensions["link_limiter"] = make_limiter(app.config["REDIS_URL"], guess_window, prefix)
    # First of all: nothing (not even the CSRF check) may read a form that is too large or
    # cannot be decoded.
    first = app.before_request_funcs.setdefault(None, [])
    first[0:0] = [refuse_oversize_input, refuse_unreadable_input]
    app.register_error_handler(CSRFError, _csrf_error)
    app.before_request(i18n.remember_choice)
    app.after_request(_security_headers)
    app.register_error_handler(SurveyAppError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    unavailable.init_app(app)  # the database cannot be reached: 503 "try again"
    app.context_processor(_template_context)
    app.jinja_env.globals.update(
        t=localize,
        language_names=i18n.LANGUAGE_NAMES,
        show_if_json=show_if_json,
        described=described,
        choice_inputs=choice_inputs,
        checked_attr=checked_attr,
        shown_answer=shown_answer,
        current_user=current_user,
        state_names=STATE_NAMES,
    )


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if not request.path.startswith("/static/"):
        # Token pages carry a credential in the URL, workspace pages personal data: no browser
        # or proxy keeps any page; only the static files may be cached.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


# Views that deal with NUL themselves, more kindly than a 400 page: a respondent's answers
# lose the invisible character and are saved; the participant search drops it; the
# workspace forms say so next to the field and keep what was typed. None stores a NUL.
HANDLE_NUL_THEMSELVES = frozenset(
    {
        "respond.save",
        "coordinate.participants",
        "coordinate.edit_participant",
        "coordinate.new_round",
        "coordinate.import_participants",
    }
)


class UnreadableInput(BadRequest):
    """A query string or form with invalid UTF-8 or a NUL character."""


def refuse_unreadable_input() -> None:
    """Refuse invalid UTF-8 (and NUL characters) with a clear 400, before anything is stored.

    Werkzeug would turn `%FF` into the text "%FF", drop a whole form whose raw bytes are not
    UTF-8, answer a raw non-UTF-8 query string with a 500, and pass NUL on to the database
    (which PostgreSQL refuses).
    """
    nul_ok = request.endpoint in HANDLE_NUL_THEMSELVES
    if not is_readable(request.query_string, nul_ok):
        raise UnreadableInput()
    if request.mimetype == "application/x-www-form-urlencoded":
        # Form parsing later reuses the body cached here.
        if not is_readable(request.get_data(cache=True), nul_ok):
            raise UnreadableInput()
    elif request.mimetype == "multipart/form-data":
        # Werkzeug decodes multipart fields with U+FFFD for bad bytes; files stay bytes.
        bad = ("\ufffd",) if nul_ok else ("\ufffd", "\x00")
        fields = request.form.items(multi=True)
        if any(c in text for pair in fields for text in pair for c in bad):
            raise UnreadableInput()


def is_readable(encoded: bytes, nul_ok: bool = False) -> bool:
    """True if every name and value of a URL-encoded string is UTF-8 (without NUL)."""
    for part in encoded.split(b"&"):
        try:
            text = unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return False
        if "\x00" in text and not nul_ok:
            return False
    return True


def _template_context() -> dict[str, Any]:
    return {
        "current_lang": str(get_locale() or "en"),
        "page_lang": getattr(g, "page_lang", None),
    }


def show_if_json(question: Question) -> str:
    """The question's condition as JSON, for the progressive show/hide script."""
    return json.dumps(condition_data(question.show_if)) if question.show_if else ""


def described(question: Question, error: Any, extra: Sequence[str] = ()) -> Markup:
    """A question's ` aria-describedby` attribute: `extra` ids, its hint, its error message."""
    ids = list(extra)
    if question.help:
        ids.append(f"q-{question.id}-help")
    if error:
        ids.append(f"q-{question.id}-error")
    return Markup(' aria-describedby="{}"').format(" ".join(ids)) if ids else Markup("")


_CHOICE = (
    '  <div class="choice">\n'
    '    <input type="{kind}" id="{oid}" name="{name}" value="{value}"{checked}{disabled}>\n'
    '    <label for="{oid}">{label}</label>\n'
    "  </div>\n"
)


def choice_inputs(
    lang: str,
    name: str,
    options: Sequence[Option],
    selected: Sequence[str],
    kind: str,
    disabled: bool,
) -> Markup:
    """The radio buttons or checkboxes of a question (or matrix row), one per option.

    Input ids are `q-<name with - for .>-<1-based position>`; `selected` holds the chosen
    values as strings. Every value and label is escaped; ` checked` comes from
    `checked_attr`, so that a question's markup can be kept without its answer.
    """
    prefix = "q-" + name.replace(".", "-") + "-"
    chosen = {str(v) for v in selected}
    name_html, kind_html = escape(name), escape(kind)
    disabled_html = " disabled" if disabled else ""
    parts = ['<div class="choices">\n']
    for position, option in enumerate(options, 1):
        value = str(option.value)
        parts.append(
            _CHOICE.format(
                kind=kind_html,
                oid=escape(f"{prefix}{position}"),
                name=name_html,
                value=escape(value),
                checked=checked_attr(name, value, value in chosen),
                disabled=disabled_html,
                label=escape(localize(option.label, lang)),
            )
        )
    parts.append("</div>")
    return Markup("".join(parts))


def condition_data(condition: Condition) -> dict[str, Any]:
    """A condition back in the plain-data shape of the YAML format."""
    if isinstance(condition, AllOf):
        return {"all": [condition_data(c) for c in condition.conditions]}
    if isinstance(condition, AnyOf):
        return {"any": [condition_data(c) for c in condition.conditions]}
    if isinstance(condition, Not):
        return {"not": condition_data(condition.condition)}
    value = list(condition.value) if isinstance(condition.value, tuple) else condition.value
    return {"question": condition.question, condition.op: value}


def _domain_error(error: SurveyAppError) -> tuple[str, int]:
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


def _csrf_error(error: CSRFError) -> ResponseReturnValue:
    """An expired or missing form token never throws typed answers away."""
    _release_frames(error)
    if request.endpoint in ("respond.save", "respond.review"):
        from .respond.views import handle_csrf_error

        try:
            return handle_csrf_error(error)
        except SurveyAppError as problem:  # an unknown, closed or guessed link: its own page
            return _domain_error(problem)
        except HTTPException as problem:
            return _http_error(problem)
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


def _http_error(error: HTTPException) -> ResponseReturnValue:
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
