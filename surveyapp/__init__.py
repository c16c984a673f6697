"""surveyapp: multilingual surveys for co-creating the procurement manual."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing surveyapp.definitions in a notebook needs no Flask
    from flask import Flask


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application from the environment and optional config `overrides`."""
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from . import app as wiring
    from . import cli, db, i18n, logs
    from .config import load_config
    from .definitions.registry import SurveyRegistry
    from .extensions import babel, csrf

    logs.install()
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(load_config(overrides))
    db.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    app.extensions["surveys"] = SurveyRegistry(
        app.config["SURVEYS_DIR"], app.config.get("TRANSLATIONS_DIR")
    )
    wiring.init_app(app)  # blueprints, error pages, hooks, session cookie
    if app.config["TRUSTED_PROXIES"]:
        # Behind a load balancer, the client's address (for login limits) is in X-Forwarded-For.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    cli.register(app)
    return app
