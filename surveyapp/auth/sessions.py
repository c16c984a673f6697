"""The session cookie: Secure whenever the request itself came over HTTPS."""

from __future__ import annotations

from flask import Flask, Request, Response, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin

# The read API (surveyapp.api) is called with a token, never with a cookie: under this path
# no session cookie is read or set.
API_PREFIX = "/api/"


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

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(API_PREFIX):
            return self.session_class()  # a throwaway: the cookie sent along is not read
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if has_request_context() and request.path.startswith(API_PREFIX):
            return
        super().save_session(app, session, response)
