"""The session cookie: Secure whenever the request itself came over HTTPS; a cookie whose
signature was checked once is not checked again."""

from __future__ import annotations

import copy
import time
from typing import Any

from flask import Flask, Request, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

MAX_VERIFIED_COOKIES = 10_000


class HttpsAwareSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with Secure set for HTTPS requests too.

    SESSION_COOKIE_SECURE follows BASE_URL; a site reached over HTTPS (directly, or through a
    trusted proxy's X-Forwarded-Proto) while BASE_URL still says http:// must not hand out a
    login cookie that a browser would later send over plain HTTP.
    """

    _serializer: tuple[Any, URLSafeTimedSerializer | None] | None = None

    def __init__(self) -> None:
        # (keys, verified cookie) → (its data, when it was signed); bounded.
        self._verified: dict[tuple[Any, str], tuple[Any, float]] = {}

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = bool(app.config["SESSION_COOKIE_SECURE"])
        return configured or (has_request_context() and request.is_secure)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Flask's open_session, remembering the cookies it has verified.

        A respondent's browser sends the same cookie with every page until the session
        changes, and checking its signature again cost a tenth of a survey page
        (benchmarks/load). A cookie string that verified once verifies again with the same
        keys, so only its age is checked again. The data is copied: a view may change it.
        """
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (_keys(app), cookie)
        found = self._verified.get(key)
        if found is None:
            try:
                data, signed = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            found = (data, signed.timestamp())
            if len(self._verified) >= MAX_VERIFIED_COOKIES:
                self._verified.clear()
            self._verified[key] = found
        data, signed_at = found
        if not 0 <= time.time() - signed_at <= max_age:  # itsdangerous's own age check
            return self.session_class()
        return self.session_class(copy.deepcopy(data))

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, built once per set of keys instead of twice per request."""
        keys = _keys(app)
        if self._serializer is None or self._serializer[0] != keys:
            self._serializer = (keys, super().get_signing_serializer(app))
        return self._serializer[1]


def _keys(app: Flask) -> tuple[Any, ...]:
    """What the session's signature depends on."""
    return (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
