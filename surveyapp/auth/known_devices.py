"""Browsers that have logged in to an account before, remembered in a signed cookie.

Guesses spread over many addresses slow an account down and may reach its hourly ceiling
(auth.throttle); a browser in which the account's owner has logged in before is exempt
from both, so such guessing cannot keep the owner out (OWASP's "device cookie"). Its
address is still limited like any other. The cookie holds keyed hashes of the accounts'
emails, never an email, and is signed with SECRET_KEY.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

COOKIE = "known_device"
MAX_AGE = 365 * 24 * 3600
MAX_ACCOUNTS = 5  # a shared office computer remembers the last few


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="surveyapp-known-device")


def _mark(email: str) -> str:
    key = str(current_app.secret_key or "").encode()
    return hmac.new(key, email.encode(), hashlib.sha256).hexdigest()[:32]


def _marks() -> list[str]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return []
    try:
        found = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return []
    return [m for m in found if isinstance(m, str)] if isinstance(found, list) else []


def recognises(email: str) -> bool:
    """True if this browser has logged in to `email`'s account before."""
    return _mark(email) in _marks()


def remember(response: Response, email: str) -> None:
    """Remember, in `response`'s cookie, that this browser logged in to `email`'s account."""
    marks = [m for m in _marks() if m != _mark(email)] + [_mark(email)]
    config = current_app.config
    response.set_cookie(
        COOKIE,
        _serializer().dumps(marks[-MAX_ACCOUNTS:]),
        max_age=MAX_AGE,
        secure=bool(config["SESSION_COOKIE_SECURE"]) or request.is_secure,
        httponly=True,
        samesite="Lax",
        path="/login",
    )
