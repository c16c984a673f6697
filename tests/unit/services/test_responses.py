"""One response per personal link, kept by the database even when two saves race."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveyapp.models import Invitation, Response
from surveyapp.services import responses


def _count(session: Session, invitation_id: int) -> int:
    query = (
        select(func.count()).select_from(Response).where(Response.invitation_id == invitation_id)
    )
    return int(session.scalar(query) or 0)


def test_the_database_refuses_a_second_response_for_one_invitation(
    session: Session, invitation: Invitation
) -> None:
    session.add(Response(round_id=invitation.round_id, invitation_id=invitation.id))
    session.commit()
    session.add(Response(round_id=invitation.round_id, invitation_id=invitation.id))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert _count(session, invitation.id) == 1


def test_a_tab_that_read_the_link_before_another_saved_joins_its_response(
    app: Flask, session: Session, invitation: Invitation
) -> None:
    stale = responses.resolve_link(session, invitation.token)
    session.commit()
    assert stale.response is None
    # The other tab saves its first page in between (on SQLite, BEGIN IMMEDIATE serialises
    # whole requests, so only this path shows the constraint doing its work).
    with Session(app.extensions["engine"], expire_on_commit=False) as other:
        first = responses.ensure_response(other, responses.resolve_link(other, invitation.token))
        other.commit()
    second = responses.ensure_response(session, stale)
    session.commit()
    assert second.id == first.id
    assert _count(session, invitation.id) == 1
