"""The session cookie: Secure whenever the request itself came over HTTPS."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface


class HttpsAwareSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with Secure set for HTTPS requests too.

    SESSION_COOKIE_SECURE follows BASE_URL; a site reached over HTTPS (directly, or through a
    trusted proxy's X-Forwarded-Proto) while BASE_URL still says http:// must not hand out a
    login cookie that a browser would later send over plain HTTP. Every cookie's signature
    and age are checked on every request: a worker keeps no copy of any session's data.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = bool(app.config["SESSION_COOKIE_SECURE"])
        return configured or (has_request_context() and request.is_secure)
