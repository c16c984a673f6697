"""The audit log: who changed or downloaded what, recorded by the service that did it.

Every service that changes data or hands personal data out takes an `Actor` and records its
own event, so the workspace and the command line leave the same trail.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..logs import redact
from ..models import AuditEvent, User

# Marks a command-line actor in the `actor_email` column: "alice@host (command line)".
COMMAND_LINE = "command line"
_NAME_MAX, _ADDRESS_MAX = 254, 64


@dataclass(frozen=True)
class Actor:
    """Who acts: a workspace account and its request's address, or an operating-system user.

    `name` is stored in the event's actor_email column: the account's email, or
    "alice@host (command line)" for the command line. Plain values only, so a background
    thread can carry it after its request has ended.
    """

    name: str
    user_id: int | None = None
    address: str = ""

    @classmethod
    def from_user(cls, user: User | None, address: str) -> Actor:
        """The logged-in account (or nobody, for a failed login) at a client address."""
        if user is None:
            return cls(name="", address=address)
        return cls(name=user.email, user_id=user.id, address=address)

    @classmethod
    def from_os(cls) -> Actor:
        """The person at the command line: their login name on this host, and with sudo
        also who ran it: "surveyapp@host (command line, sudo by alice)"."""
        how = COMMAND_LINE
        sudo_user, name = os.environ.get("SUDO_USER", ""), _login_name()
        if sudo_user and sudo_user != name:
            how += f", sudo by {sudo_user}"
        return cls(name=f"{name}@{socket.gethostname()} ({how})")


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (a bare container)
        return f"uid-{os.getuid()}"


def record(
    session: Session, action: str, *, actor: Actor, target: str = "", detail: str = ""
) -> AuditEvent:
    """Add one event; any link token in the text is replaced before it is stored."""
    event = AuditEvent(
        action=action,
        actor_id=actor.user_id,
        actor_email=actor.name[:_NAME_MAX],
        target=redact(target)[:200],
        detail=redact(detail),
        address=actor.address[:_ADDRESS_MAX],
    )
    session.add(event)
    session.flush()
    return event


def recent_events(session: Session, limit: int = 200) -> list[AuditEvent]:
    """The newest events, newest first (the workspace's audit page)."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))


def events(
    session: Session, *, since: dt.datetime | None = None, limit: int | None = None
) -> list[AuditEvent]:
    """Events at or after `since` (UTC), oldest first; with `limit`, only the newest ones."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if since is not None:
        query = query.where(AuditEvent.at >= since.astimezone(dt.UTC))
    if limit is not None:
        query = query.limit(limit)
    return list(reversed(session.scalars(query).all()))
