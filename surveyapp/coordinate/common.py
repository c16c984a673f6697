"""Small helpers shared by the workspace views: lookups that 404, the actor, write intent."""

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


def actor() -> audit.Actor:
    """Who acts in this request, for the services' audit events: the logged-in account and
    the client's address."""
    return audit.Actor.from_user(current_user(), request.remote_addr or "")


def writing_session() -> Session:
    """The session of a GET whose service records an audit event (a download), taking
    SQLite's write lock up front.

    A GET begins a read transaction (the login check reads the account); upgrading it to a
    write after a respondent's save would fail with "database is locked".
    """
    db = get_session()
    begin_write(db)
    return db


def is_coordinator() -> bool:
    user = current_user()
    return user is not None and user.role == "coordinator"
