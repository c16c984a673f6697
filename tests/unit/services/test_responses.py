"""One response per personal link, kept by the database even when two saves race."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import event, func, select
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


def test_a_save_writes_only_the_answers_that_changed(
    app: Flask, session: Session, invitation: Invitation
) -> None:
    link = responses.resolve_link(session, invitation.token)
    response = responses.ensure_response(session, link)
    first = {"years": 3, "role": "officer", "why_tools": {"canvas": 4}, "why_clarity": None}
    responses.write_answers(session, response, first, stored=link.stored_answers())
    session.commit()

    sent: list[str] = []
    event.listen(app.extensions["engine"], "before_cursor_execute", lambda *a: sent.append(a[2]))
    link = responses.resolve_link(session, invitation.token, with_answers=True)
    assert link.stored_answers() == first
    sent.clear()
    unchanged = dict(first)
    responses.write_answers(session, response, unchanged, {"role.other"}, stored=first)
    assert not [s for s in sent if s.startswith(("DELETE", "INSERT"))], sent

    # 3 → 3.0 and a dict with one point changed are changes; a removed answer goes.
    changed = {"years": 3.0, "role": "officer", "why_tools": {"canvas": 5}}
    responses.write_answers(session, response, changed, {"why_clarity"}, stored=first)
    session.commit()
    stored = responses.load_answers(session, response)
    assert stored == {"years": 3.0, "role": "officer", "why_tools": {"canvas": 5}}
    assert len([s for s in sent if s.startswith("DELETE")]) == 1
    assert len([s for s in sent if s.startswith("INSERT")]) == 1  # years and why_tools
