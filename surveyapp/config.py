"""Configuration: defaults, overridden from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

DEV_SECRET_KEY = "dev-only-insecure-key"


class ConfigError(RuntimeError):
    """The environment does not allow the app to start."""


def _path(value: str) -> str:
    """Paths in the environment are relative to the working directory."""
    return str(Path(value).expanduser().resolve())


def _sqlite_default() -> str:
    return "sqlite:///" + _path("instance/surveyapp.db")


def _absolute_sqlite(url: str) -> str:
    """Make `sqlite:///relative.db` relative to the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + _path(url[len(prefix) :])
    return url


def _retention_days(value: str) -> int | None:
    """RETENTION_DAYS as a whole number of days, or None when it is unset or empty."""
    if not value.strip():
        return None
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days < 0:
        raise ConfigError(f"RETENTION_DAYS must be a number of days (0 or more), not {value!r}")
    return days


def _min_count(value: str) -> int:
    """ANONYMITY_MIN_COUNT as a whole number of at least 1 (default 5)."""
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise ConfigError(f"ANONYMITY_MIN_COUNT must be a whole number of 1 or more, not {value!r}")
    return count


def surveys_dir() -> str:
    """SURVEYS_DIR from the environment (default `surveys`), absolute."""
    return _path(os.environ.get("SURVEYS_DIR", "surveys"))


def translations_dir() -> str | None:
    """TRANSLATIONS_DIR from the environment, absolute; None (the default) means
    `translations/` next to SURVEYS_DIR: the survey translation catalogues."""
    value = os.environ.get("TRANSLATIONS_DIR", "").strip()
    return _path(value) if value else None


def criteria_dir() -> str | None:
    """CRITERIA_DIR from the environment, absolute; None (the default) means `criteria/`
    next to SURVEYS_DIR: the peer reviews' criteria sets."""
    value = os.environ.get("CRITERIA_DIR", "").strip()
    return _path(value) if value else None


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the configuration mapping from defaults, the environment and `overrides`."""
    env = os.environ
    config: dict[str, Any] = {
        "DATABASE_URL": _absolute_sqlite(env.get("DATABASE_URL") or _sqlite_default()),
        "SECRET_KEY": env.get("SECRET_KEY"),
        "SURVEYS_DIR": surveys_dir(),
        "TRANSLATIONS_DIR": translations_dir(),
        "CRITERIA_DIR": criteria_dir(),
        "EXPORTS_DIR": _path(env.get("EXPORTS_DIR", "exports")),
        # In an anonymous round, smaller counts in a breakdown show as "fewer than N", and
        # filters that would select fewer responses are refused.
        "ANONYMITY_MIN_COUNT": _min_count(env.get("ANONYMITY_MIN_COUNT", "").strip() or "5"),
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "SMTP_HOST": env.get("SMTP_HOST") or None,
        "SMTP_PORT": int(env.get("SMTP_PORT", "25")),
        "SMTP_USER": env.get("SMTP_USER") or None,
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or None,
        "SMTP_TLS": env.get("SMTP_TLS", "").lower() in ("1", "true", "yes", "starttls"),
        "MAIL_FROM": env.get("MAIL_FROM") or None,
        # Whom to tell about an accessibility problem (the /accessibility statement).
        "ACCESSIBILITY_CONTACT": env.get("SURVEYAPP_ACCESSIBILITY_CONTACT")
        or env.get("MAIL_FROM")
        or None,
        "REDIS_URL": env.get("REDIS_URL") or None,
        # Keys of the rate-limit counters in Redis start with this (several apps, one Redis).
        "RATELIMIT_PREFIX": env.get("SURVEYAPP_RATELIMIT_PREFIX", "surveyapp:rl:"),
        # Unknown links tried from one address per window before it gets a 429 (0: no limit).
        "TOKEN_GUESS_LIMIT": int(env.get("SURVEYAPP_TOKEN_GUESS_LIMIT", "30")),
        "TOKEN_GUESS_WINDOW_SECONDS": int(env.get("SURVEYAPP_TOKEN_GUESS_WINDOW", "900")),
        # The read API (/api/v1/, docs/api.md): calls per token per window, and failed
        # token checks per address per window, before a 429.
        "API_RATE_LIMIT": int(env.get("SURVEYAPP_API_RATE_LIMIT", "120")),
        "API_RATE_WINDOW_SECONDS": int(env.get("SURVEYAPP_API_RATE_WINDOW", "60")),
        "API_FAILURE_LIMIT": int(env.get("SURVEYAPP_API_FAILURE_LIMIT", "20")),
        "API_FAILURE_WINDOW_SECONDS": int(env.get("SURVEYAPP_API_FAILURE_WINDOW", "900")),
        # How many reverse proxies in front set X-Forwarded-For/-Proto (0: trust none).
        "TRUSTED_PROXIES": int(env.get("SURVEYAPP_TRUSTED_PROXIES", "0")),
        "DEBUG": env.get("FLASK_DEBUG", "").lower() in ("1", "true"),
        "TESTING": False,
        # Preview of survey definitions is open only while debugging until accounts exist.
        "PREVIEW_OPEN": env.get("SURVEYAPP_PREVIEW_OPEN", "").lower() in ("1", "true"),
        # Request limits (Werkzeug 3): a whole body, with or without a Content-Length (the
        # largest is a participant list of 20,000 people, ~1.9 MB); one multipart text
        # field; the fields of a form, URL-encoded too (web/input_checks.py). An answer that
        # fits in a body but not in its question gets the question's message.
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 500_000,
        "MAX_FORM_PARTS": 1_000,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # Flask-WTF's extra HTTPS check wants a same-site Referer on every POST, but our
        # Referrer-Policy (no-referrer: link tokens never leave in a Referer) means browsers
        # send none, so every form over HTTPS would fail; the CSRF token is still checked.
        "WTF_CSRF_SSL_STRICT": False,
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,  # workspace logins last a working day
        # Failed logins: an address is refused for growing windows after a few; an account
        # only waits longer and longer past LOGIN_ACCOUNT_FREE (1 s, 2 s, 4 s ... at most
        # LOGIN_ACCOUNT_MAX_DELAY s) up to a ceiling, so one address cannot lock it out.
        "LOGIN_LIMITS_PER_ADDRESS": "5 per 15 minutes; 10 per hour; 20 per day",
        "LOGIN_LIMIT_PER_ACCOUNT": "50 per hour",
        "LOGIN_ACCOUNT_FREE": 10,
        "LOGIN_ACCOUNT_MAX_DELAY": 60,
        # Days after a round closes until `surveyapp retention apply` deletes its personal
        # data (None: keep it); read here so that a mistyped value stops the app at start.
        "RETENTION_DAYS": _retention_days(env.get("RETENTION_DAYS", "")),
    }
    config["SESSION_COOKIE_SECURE"] = config["BASE_URL"].startswith("https://")
    config.update(overrides or {})
    config["DATABASE_URL"] = _absolute_sqlite(config["DATABASE_URL"])
    # Resolved after the overrides, so that a test's SURVEYS_DIR brings its criteria/.
    config["CRITERIA_DIR"] = config["CRITERIA_DIR"] or str(
        Path(config["SURVEYS_DIR"]).resolve().parent / "criteria"
    )
    _require_secret(config)
    return config


def _require_secret(config: dict[str, Any]) -> None:
    if config.get("SECRET_KEY"):
        return
    if config.get("DEBUG") or config.get("TESTING"):
        config["SECRET_KEY"] = DEV_SECRET_KEY
        return
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true":
        # Command-line tasks sign nothing that outlives the process.
        config["SECRET_KEY"] = secrets.token_hex(32)
        return
    raise ConfigError("SECRET_KEY is not set; set it in the environment to run in production")
