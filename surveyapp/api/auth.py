"""Who calls the read API: a bearer token, checked, rate-limited and audited on every call.

No cookie and no session is read or written under /api/ (auth.sessions); a call carries its
token in `Authorization: Bearer <token>`. A missing, unknown or revoked token is 401 and is
counted against the caller's address; past API_FAILURE_LIMIT failures in a window the
address gets 429 before any token is looked at. A valid token may make API_RATE_LIMIT calls
per window. Each successful call is one audit event, `api_read`, naming the path.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, current_app, jsonify, request

from ..auth.access import ALLOWED
from ..db import begin_write, get_session
from ..models import ApiToken
from ..ratelimit import Limiter, LimiterUnavailable
from ..services import api_tokens
from ..services.audit import Actor, record

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def error(status: int, message: str, **headers: str) -> Response:
    """A JSON error: {"error": message}."""
    response = jsonify(error=message)
    response.status_code = status
    response.headers.update(headers)
    return response


def _unauthorized(message: str) -> Response:
    return error(401, message, **{"WWW-Authenticate": 'Bearer realm="surveyapp"'})


def _too_many(window: int) -> Response:
    retry = max(1, window - int(time.time()) % window)  # the counters' windows are fixed
    return error(429, "too many requests", **{"Retry-After": str(retry)})


def _bearer() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def _limiter(name: str) -> Limiter:
    limiter: Limiter = current_app.extensions[name]
    return limiter


def _count(name: str, key: str) -> int:
    """The window's count; 0 if Redis is down (the API answers on, as the links do)."""
    try:
        return _limiter(name).count(key)
    except LimiterUnavailable as problem:
        log.warning("API limit not checked: %s", problem)
        return 0


def _hit(name: str, key: str) -> int:
    try:
        return _limiter(name).hit(key)
    except LimiterUnavailable as problem:
        log.warning("API call not counted: %s", problem)
        return 0


def _check(role: str) -> ApiToken | Response:
    """The caller's token, or the error response to give instead."""
    config = current_app.config
    failures = f"api-failed:{request.remote_addr or ''}"
    if _count("api_failure_limiter", failures) >= config["API_FAILURE_LIMIT"]:
        return _too_many(config["API_FAILURE_WINDOW_SECONDS"])
    presented = _bearer()
    token = api_tokens.verify(get_session(), presented) if presented else None
    if token is None:
        _hit("api_failure_limiter", failures)
        missing = presented is None
        return _unauthorized("a bearer token is needed" if missing else "the token is not valid")
    if token.role not in ALLOWED[role]:
        return error(403, f"this needs a token of the role {role}")
    if _hit("api_limiter", f"api-token:{token.id}") > config["API_RATE_LIMIT"]:
        return _too_many(config["API_RATE_WINDOW_SECONDS"])
    return token


def _audit(token: ApiToken) -> None:
    """One event and the token's last use, in a short write after the view has read."""
    db = get_session()
    begin_write(db)
    api_tokens.mark_used(db, token)
    actor = Actor(name=f"api token {token.id} ({token.name})", address=request.remote_addr or "")
    record(db, "api_read", actor=actor, target=request.path)
    db.commit()


def token_required(role: str = "editor") -> Callable[[F], F]:
    """The view answers only a valid token whose role allows `role`."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            found = _check(role)
            if isinstance(found, Response):
                return found
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code == 200:
                _audit(found)
            return response

        wrapper.required_role = role  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
