"""Small helpers shared by the workspace views: lookups that 404, audit events, write intent."""

from __future__ import annotations

from flask import abort, request
from sqlalchemy.orm import Session

from ..auth.access import current_user
from ..db import begin_write, get_session
from ..errors import UnknownRound
from ..models import Participant, Round
from ..services import audit, rounds


def round_or_404(round_id: int) -> Round:
    """The round with this id, or the plain 404 page."""
    try:
        return rounds.get_round(get_session(), round_id)
    except UnknownRound:
        abort(404)


def participant_or_404(participant_id: int) -> Participant:
    """The participant with this id, or the plain 404 page."""
    found = get_session().get(Participant, participant_id)
    if found is None:
        abort(404)
    return found


def record(action: str, target: str, detail: str = "") -> None:
    """Add an audit event for the logged-in user's action (the caller commits)."""
    address = request.remote_addr or ""
    user = current_user()
    audit.record(get_session(), action, actor=user, target=target, detail=detail, address=address)


def writing_session() -> Session:
    """The session of a GET that records an audit event, taking SQLite's write lock up front.

    A GET begins a read transaction (the login check reads the account); upgrading it to a
    write after a respondent's save would fail with "database is locked" (RELIABILITY.md 8).
    """
    db = get_session()
    begin_write(db)
    return db


def is_coordinator() -> bool:
    user = current_user()
    return user is not None and user.role == "coordinator"
