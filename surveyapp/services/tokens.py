"""Unguessable tokens for personal and open links."""

from __future__ import annotations

import hmac
import secrets

TOKEN_BYTES = 24  # 192 random bits; a personal link needs at least 128


def new_token() -> str:
    """A fresh URL-safe token of TOKEN_BYTES random bytes (32 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def looks_like_token(value: str) -> bool:
    """Cheap shape check before any database lookup."""
    return 20 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


def same_token(stored: str | None, given: str) -> bool:
    """Compare in constant time, so timing never tells how much of a token was right."""
    return stored is not None and hmac.compare_digest(stored.encode(), given.encode())
