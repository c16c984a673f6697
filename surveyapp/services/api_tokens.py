"""Tokens of the read API: made and revoked from the command line, checked on every call.

A token is `sa_` and 43 random URL-safe characters (32 bytes). Only its SHA-256 hash is
stored: the token is shown once, when it is made, and cannot be shown again. A call is
checked by hashing what it presents and looking the hash up (a unique index), so the time
it takes tells nothing about how much of a secret was right.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import utcnow
from ..errors import InvalidRequest, NotFound
from ..models import ROLES, ApiToken
from .audit import Actor, record

PREFIX = "sa_"
NAME_MAX = 100
_SECRET_BYTES = 32
# "sa_" + token_urlsafe(32): 43 characters; anything much longer is not ours.
_TOKEN_MAX = 100


@dataclass(frozen=True)
class NewToken:
    """A token just made: `secret` is the only copy there will ever be."""

    token: ApiToken
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(session: Session, name: str, role: str, *, actor: Actor) -> NewToken:
    """Make a token of `role` ("editor" or "coordinator"); audited without the secret."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidRequest(f"a token needs a name of 1 to {NAME_MAX} characters")
    if role not in ROLES:
        raise InvalidRequest(f"'{role}' is not a role; the role is one of {', '.join(ROLES)}")
    secret = PREFIX + secrets.token_urlsafe(_SECRET_BYTES)
    token = ApiToken(
        name=name, role=role, token_hash=hash_secret(secret), created_by=actor.name[:254]
    )
    session.add(token)
    session.flush()
    record(session, "api_token_added", actor=actor, target=_target(token), detail=role)
    return NewToken(token, secret)


def revoke_token(session: Session, token_id: int, *, actor: Actor) -> ApiToken:
    """Revoke a token for good; revoking it again changes nothing and is not audited."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"there is no API token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        record(session, "api_token_revoked", actor=actor, target=_target(token))
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def verify(session: Session, presented: str) -> ApiToken | None:
    """The live (not revoked) token whose secret is `presented`, else None."""
    if not presented.startswith(PREFIX) or len(presented) > _TOKEN_MAX:
        return None
    wanted = hash_secret(presented)
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == wanted))
    if token is None or not hmac.compare_digest(token.token_hash, wanted):
        return None
    return None if token.revoked_at is not None else token


def mark_used(session: Session, token: ApiToken) -> None:
    """Set the token's last use to now (one UPDATE, no read)."""
    session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=utcnow()))


def _target(token: ApiToken) -> str:
    return f"api token {token.id} ({token.name})"
