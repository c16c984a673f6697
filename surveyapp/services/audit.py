"""The audit log of workspace actions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..logs import redact
from ..models import AuditEvent, User


def record(
    session: Session,
    action: str,
    *,
    actor: User | None = None,
    target: str = "",
    detail: str = "",
    address: str = "",
) -> AuditEvent:
    """Add one event; any link token in the text is replaced before it is stored."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else "",
        target=redact(target)[:200],
        detail=redact(detail),
        address=address[:64],
    )
    session.add(event)
    session.flush()
    return event


def recent_events(session: Session, limit: int = 200) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
