"""The security headers every response carries."""

from __future__ import annotations

from flask import Response, request

# No inline script anywhere: a stored answer or survey text can never run as code.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def security_headers(response: Response) -> Response:
    """Add the policy and the headers a view has not set itself."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if not request.path.startswith("/static/"):
        # Token pages carry a credential in the URL, workspace pages personal data: no browser
        # or proxy keeps any page; only the static files may be cached.
        response.headers.setdefault("Cache-Control", "no-store")
    return response
