"""One response per personal link, kept by the database even when two saves race."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveyapp.models import Answer, Invitation, Response
from surveyapp.services import response_reads, response_writes


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
    stale = response_reads.resolve_link(session, invitation.token)
    session.commit()
    assert stale.response is None
    # The other tab saves its first page in between (on SQLite, BEGIN IMMEDIATE serialises
    # whole requests, so only this path shows the constraint doing its work).
    with Session(app.extensions["engine"], expire_on_commit=False) as other:
        first = response_writes.ensure_response(
            other, response_reads.resolve_link(other, invitation.token)
        )
        other.commit()
    second = response_writes.ensure_response(session, stale)
    session.commit()
    assert second.id == first.id
    assert _count(session, invitation.id) == 1


def test_a_save_writes_only_the_answers_that_changed(
    app: Flask, session: Session, invitation: Invitation
) -> None:
    link = response_reads.resolve_link(session, invitation.token)
    response = response_writes.ensure_response(session, link)
    first = {"years": 3, "role": "officer", "why_tools": {"canvas": 4}, "why_clarity": None}
    response_writes.write_answers(session, response, first, stored=link.stored_answers())
    session.commit()

    sent: list[str] = []
    event.listen(app.extensions["engine"], "before_cursor_execute", lambda *a: sent.append(a[2]))
    link = response_reads.resolve_link(session, invitation.token, with_answers=True)
    assert link.stored_answers() == first
    sent.clear()
    unchanged = dict(first)
    response_writes.write_answers(session, response, unchanged, {"role.other"}, stored=first)
    assert not [s for s in sent if s.startswith(("DELETE", "INSERT"))], sent

    # 3 → 3.0 and a dict with one point changed are changes; a removed answer goes.
    changed = {"years": 3.0, "role": "officer", "why_tools": {"canvas": 5}}
    response_writes.write_answers(session, response, changed, {"why_clarity"}, stored=first)
    session.commit()
    stored = response_reads.load_answers(session, response)
    assert stored == {"years": 3.0, "role": "officer", "why_tools": {"canvas": 5}}
    assert len([s for s in sent if s.startswith("DELETE")]) == 1
    assert len([s for s in sent if s.startswith("INSERT")]) == 1  # years and why_tools


# Every shape an answer takes (models.Answer: JSON, NULL for "not applicable").
STORED_VALUES = {
    "text": "Tampere – “Hankinta” ok?\n<b>&amp;</b> \\ \" ' 🙂",
    "empty": "",
    "integer": 7,
    "negative": -3,
    "decimal": 2.5,
    "large": 12345678901234567,
    "yes": True,
    "no": False,
    "choices": ["why", "how", "tools"],
    "none_chosen": [],
    "matrix": {"row1": 3, "row2": None, "row3": "n/a"},
    "not_applicable": None,
}


@pytest.mark.parametrize("opened_by", ["invitation", "response token"])
def test_a_link_read_with_its_answers_gives_them_as_stored(
    session: Session, invitation: Invitation, opened_by: str
) -> None:
    """The page's one query returns the answers as a JSON object built by the database
    (json_object_agg, or json_group_object on SQLite); they must read back as one query per
    answer reads them."""
    response = Response(round_id=invitation.round_id, invitation_id=invitation.id, token="r" * 32)
    session.add(response)
    session.flush()
    session.add_all(
        Answer(response_id=response.id, question_id=qid, value=value)
        for qid, value in STORED_VALUES.items()
    )
    session.commit()
    token = invitation.token if opened_by == "invitation" else "r" * 32
    link = response_reads.resolve_link(session, token, with_answers=True)
    assert link.stored_answers() == response_reads.load_answers(session, link.response)
    assert link.stored_answers() == STORED_VALUES
    assert {k: type(v) for k, v in link.stored_answers().items()} == {
        k: type(v) for k, v in STORED_VALUES.items()
    }


def test_a_link_without_answers_reads_none(session: Session, invitation: Invitation) -> None:
    assert response_reads.resolve_link(session, invitation.token, with_answers=True).answers == {}
    session.add(Response(round_id=invitation.round_id, invitation_id=invitation.id))
    session.commit()
    link = response_reads.resolve_link(session, invitation.token, with_answers=True)
    assert link.response is not None and link.stored_answers() == {}


def test_an_update_at_a_revision_that_moved_on_changes_nothing(
    session: Session, invitation: Invitation
) -> None:
    link = response_reads.resolve_link(session, invitation.token)
    response = response_writes.ensure_response(session, link)
    session.commit()
    seen = response.revision
    assert response_writes.update_response(session, response, if_revision=seen, last_section="a")
    assert response.revision == seen + 1, "the plain copy follows"
    session.commit()
    stale = response_reads.resolve_link(session, invitation.token).response
    assert stale is not None and stale.revision == seen + 1
    stale.revision = seen  # as read before the update above
    assert not response_writes.update_response(session, stale, if_revision=seen, last_section="b")
    session.commit()
    assert session.scalar(select(Response.last_section).where(Response.id == response.id)) == "a"
    session.execute(Response.__table__.delete().where(Response.id == response.id))
    session.commit()
    gone = response_writes.update_response(session, response, if_revision=seen + 1, language="fi")
    assert not gone, "a response that is gone is not updated either"


def test_not_applicable_replaces_a_stored_answer(session: Session, invitation: Invitation) -> None:
    """The upsert writes "not applicable" as SQL NULL over a value, beside other values."""
    link = response_reads.resolve_link(session, invitation.token)
    response = response_writes.ensure_response(session, link)
    response_writes.write_answers(session, response, {"why_clarity": 4, "years": 2})
    session.commit()
    stored = {"why_clarity": 4, "years": 2}
    changed = {"why_clarity": None, "years": 5}
    response_writes.write_answers(session, response, changed, stored=stored)
    session.commit()
    rows = session.execute(
        select(Answer.question_id, Answer.value.is_(None)).where(Answer.response_id == response.id)
    ).all()
    assert sorted(rows) == [("why_clarity", True), ("years", False)]
    assert response_reads.load_answers(session, response) == changed
    reread = response_reads.resolve_link(session, invitation.token, with_answers=True)
    assert reread.stored_answers() == changed
