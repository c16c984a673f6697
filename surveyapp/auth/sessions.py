"""The session cookie: Secure whenever the request itself came over HTTPS."""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class HttpsAwareSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with Secure set for HTTPS requests too.

    SESSION_COOKIE_SECURE follows BASE_URL; a site reached over HTTPS (directly, or through a
    trusted proxy's X-Forwarded-Proto) while BASE_URL still says http:// must not hand out a
    login cookie that a browser would later send over plain HTTP.
    """

    _serializer: tuple[Any, URLSafeTimedSerializer | None] | None = None

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = bool(app.config["SESSION_COOKIE_SECURE"])
        return configured or (has_request_context() and request.is_secure)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, built once per set of keys instead of twice per request."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self._serializer is None or self._serializer[0] != keys:
            self._serializer = (keys, super().get_signing_serializer(app))
        return self._serializer[1]
