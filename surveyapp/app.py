"""The wiring of the web application: create_app calls `init_app` once the database, the
translations and the form tokens are set up.

It installs the session cookie, registers the blueprints, the checks that run before every
view, the security headers, every error page and the template globals. The blueprints and
surveyapp.web know nothing of each other; only this module joins them.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import Flask, g, request, url_for
from flask_babel import get_locale

from . import i18n
from .api import bp as api_bp
from .auth.access import current_user
from .auth.sessions import HttpsAwareSessions
from .auth.views import bp as auth_bp
from .coordinate.mail_views import bp as mail_bp
from .coordinate.participants_views import too_large_page
from .coordinate.views import bp as coordinate_bp
from .definitions.schema import localize, localized_language
from .extensions import csrf
from .feedback.views import bp as feedback_bp
from .health import bp as health_bp
from .i18n import _l
from .languages import INTERFACE_LANGUAGES
from .preview.views import bp as preview_bp
from .ratelimit import make_limiter
from .request_limits import IdConverter, refuse_oversize_input
from .respond.expired_form import handle_csrf_error
from .respond.question_html import checked_attr, shown_answer
from .respond.views import bp as respond_bp
from .results.views import bp as results_bp
from .review.views import CSRF_PAGES as REVIEW_CSRF_PAGES
from .review.views import bp as review_bp
from .review.views import links_bp as reviewer_bp
from .web import error_pages, question_widgets
from .web.input_checks import refuse_unreadable_input
from .web.security import security_headers

STATE_NAMES = {
    "draft": _l("draft"),
    "open": _l("open"),
    "not_yet_open": _l("not open yet"),
    "closed": _l("closed"),
}


def init_app(app: Flask) -> None:
    """Register blueprints, hooks, error pages and template globals."""
    app.session_interface = HttpsAwareSessions()
    app.url_map.converters["id"] = IdConverter  # before any rule uses it
    for blueprint in (
        health_bp,
        preview_bp,
        respond_bp,
        auth_bp,
        coordinate_bp,
        mail_bp,
        feedback_bp,
        results_bp,
        review_bp,
        reviewer_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    # The read API takes a bearer token and never a cookie (auth.sessions), so a forged
    # cross-site request carries nothing it would accept; it only reads anyway.
    csrf.exempt(api_bp)
    prefix = app.config["RATELIMIT_PREFIX"]
    guess_window = app.config["TOKEN_GUESS_WINDOW_SECONDS"]
    app.extensions["link_limiter"] = make_limiter(app.config["REDIS_URL"], guess_window, prefix)
    for name, window in (
        ("api_limiter", app.config["API_RATE_WINDOW_SECONDS"]),
        ("api_failure_limiter", app.config["API_FAILURE_WINDOW_SECONDS"]),
    ):
        app.extensions[name] = make_limiter(app.config["REDIS_URL"], window, prefix)
    _install_request_hooks(app)
    error_pages.register(
        app,
        # A respondent whose form token expired gets the page back with the typed answers.
        csrf_pages={
            "respond.save": handle_csrf_error,
            "respond.review": handle_csrf_error,
            **REVIEW_CSRF_PAGES,
        },
        too_large_pages={"coordinate": too_large_page},
    )
    _install_template_globals(app)


def _install_request_hooks(app: Flask) -> None:
    # First of all: nothing (not even the CSRF check) may read a form that is too large or
    # cannot be decoded.
    first = app.before_request_funcs.setdefault(None, [])
    first[0:0] = [refuse_oversize_input, refuse_unreadable_input]
    app.before_request(i18n.remember_choice)
    app.after_request(security_headers)


def _install_template_globals(app: Flask) -> None:
    app.context_processor(_template_context)
    app.jinja_env.globals.update(
        t=localize,
        t_lang=localized_language,
        tt=question_widgets.survey_text,
        language_names=i18n.LANGUAGE_NAMES,
        show_if_json=question_widgets.show_if_json,
        described=question_widgets.described,
        # Through respond's checked_attr, a question's markup can be cached without answers.
        choice_inputs=functools.partial(question_widgets.choice_inputs, checked=checked_attr),
        checked_attr=checked_attr,
        shown_answer=shown_answer,
        current_user=current_user,
        state_names=STATE_NAMES,
        interface_languages=INTERFACE_LANGUAGES,
        interface_lang_url=interface_lang_url,
    )


def interface_lang_url(code: str) -> str:
    """This page again with `?lang=code`, the interface language choice that
    i18n.remember_choice keeps; a page that answers only a form (POST) links to the
    workspace's first page instead."""
    rule = request.url_rule
    if request.endpoint and rule is not None and "GET" in (rule.methods or ()):
        # Never `next`: a page's link must not carry a redirect target it did not check.
        values: dict[str, Any] = {
            k: v for k, v in request.args.items() if k not in ("lang", "next")
        }
        values.update(request.view_args or {}, lang=code)
        return url_for(request.endpoint, **values)
    return url_for("coordinate.home", lang=code)


def _template_context() -> dict[str, Any]:
    return {
        "current_lang": str(get_locale() or "en"),
        "page_lang": getattr(g, "page_lang", None),
    }
