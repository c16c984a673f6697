"""Anonymous rounds: an invitation link only begins a response, which lives on its own token.

Nothing stored leads from a response to its invitation. The invitation keeps only when its
response began and was first submitted (for reminders); the response is reached only
through the private token its respondent was given when beginning. So nobody holding the
invitation link (the coordinator's links.csv included) can read or change the answers.
"""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..db import utcnow
from .response_reads import RESPONSES, Link
from .response_writes import INVITATION_STARTED
from .tokens import new_token


def only_begins(link: Link) -> bool:
    """True for an anonymous round's invitation link: it may begin a response, never open one."""
    return link.round.is_anonymous and link.invitation_id is not None


def is_used(link: Link) -> bool:
    """An anonymous invitation whose response has begun: its link shows no answers again.

    A response still tied to the invitation (made before responses were detached) counts
    as used too, so such a link never opens it either.
    """
    return only_begins(link) and (
        link.invitation_started_at is not None or link.response is not None
    )


def begin_response(session: Session, link: Link, language: str | None) -> str | None:
    """Mark the invitation started and create its response, detached from it, with a
    private token of its own, which is returned. None when the invitation had been used
    (another tab or browser was first): then nothing is written.

    Call inside a write transaction (db.begin_write); flushes nothing else, never commits.
    """
    assert only_begins(link) and link.invitation_id is not None
    connection = session.connection()
    # Claims the invitation: of two tabs (or browsers) beginning at once, one changes the row.
    params = {"invitation_id": link.invitation_id, "now": utcnow()}
    claimed = connection.execute(INVITATION_STARTED, params)
    if claimed.rowcount != 1:
        return None
    token = new_token()
    # No invitation_id: the model's defaults fill in the rest (a draft, started now).
    connection.execute(
        insert(RESPONSES).values(round_id=link.round.id, token=token, language=language)
    )
    return token
