"""Double clicks and two tabs: the same personal link saved and submitted at once."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import Engine, Executable, delete, event, func, select, text, update
from sqlalchemy.orm import Session

from surveyapp.models import Answer, Response

THREADS = 8


def _prepared_clients(app: Flask, url: str) -> list[tuple[Any, dict[str, str]]]:
    """One browser per thread, each holding its own form token for `url`."""
    prepared = []
    for _ in range(THREADS):
        client = app.test_client()
        html = client.get(url).get_data(as_text=True)
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
        fields["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[
            1
        ]
        prepared.append((client, fields))
    return prepared


def _post_all_at_once(
    prepared: list[tuple[Any, dict[str, str]]], url: str, data: dict[str, Any]
) -> list[int]:
    barrier = threading.Barrier(len(prepared))
    statuses: list[int] = []

    def run(client: Any, fields: dict[str, str]) -> None:
        barrier.wait()
        statuses.append(client.post(url, data={**fields, **data}).status_code)

    threads = [threading.Thread(target=run, args=pair) for pair in prepared]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


def _wait_until_blocked(engine: Engine, seconds: float = 10) -> None:
    """On PostgreSQL, until some backend waits for a lock; on SQLite a pause is enough (the
    waiting save sits in its busy timeout)."""
    if engine.dialect.name != "postgresql":
        time.sleep(0.5)
        return
    deadline = time.monotonic() + seconds
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            ).scalar_one()
            watcher.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the second save never waited for the first")


def _response_of(session: Session, invitation: Any) -> Response:
    """The one response of `invitation`, as the database has it now."""
    return session.scalars(select(Response).where(Response.invitation_id == invitation.id)).one()


def _stored_clarity(session: Session, response_id: int) -> Any:
    """The stored answer to why_clarity, as the database has it now."""
    query = select(Answer.value).where(
        Answer.response_id == response_id, Answer.question_id == "why_clarity"
    )
    return session.scalar(query)


def _sent_while_another_save_holds(
    app: Flask, response_id: int, changes: list[Executable], send: Callable[[], int]
) -> int:
    """`send()`'s status, sent while another save holds the response (its row lock; on
    SQLite the write lock) and makes `changes`, committed once `send` waits for it."""
    engine: Engine = app.extensions["engine"]
    other_save = engine.connect()  # SQLite: BEGIN IMMEDIATE, the database's write lock
    other_save.execute(
        select(Response.id).where(Response.id == response_id).with_for_update()
    ).scalar_one()
    for change in changes:
        other_save.execute(change)
    statuses: list[int] = []
    waiting = threading.Thread(target=lambda: statuses.append(send()))
    waiting.start()
    try:
        _wait_until_blocked(engine)
    finally:
        other_save.commit()
        other_save.close()
        waiting.join(timeout=60)
    assert len(statuses) == 1, "the waiting request finished"
    return statuses[0]


def test_a_save_that_waited_for_another_overwrites_what_that_one_wrote(
    app: Flask, session: Session, invitation: Any
) -> None:
    """Two tabs: tab A's save holds the response while tab B's save of the same page waits.
    B comes last, so B's answer stands, even where B's value is what was stored before A.

    B read the answers with its link before A committed, so it must find that the response
    has moved on (its revision) and read them again once it holds the lock; otherwise it
    takes its own answer for unchanged and does not write it. (Read with the lock, in the
    same statement, PostgreSQL gives the answers as they were before A committed: the lock
    is re-checked on the newer row, the joined rows are not.)
    """
    page = f"/s/{invitation.token}/p/why"
    client, fields = _prepared_clients(app, page)[0]
    assert client.post(page, data={**fields, "why_clarity": "3"}).status_code == 302
    session.rollback()
    response = _response_of(session, invitation)

    status = _sent_while_another_save_holds(
        app,
        response.id,
        [
            update(Answer)
            .where(Answer.response_id == response.id, Answer.question_id == "why_clarity")
            .values(value=5),
            # As every save does, A moves the response's revision on with its answers.
            update(Response)
            .where(Response.id == response.id)
            .values(last_section="why", revision=Response.revision + 1),
        ],
        lambda: client.post(page, data={**fields, "why_clarity": "3"}).status_code,
    )
    assert status == 302
    session.rollback()
    stored = _stored_clarity(session, response.id)
    assert stored == 3, "the later save's answer stands"


def test_same_link_saved_and_submitted_at_once_makes_one_response(
    app: Flask,
    session: Session,
    make_round: Callable[..., Any],
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
) -> None:
    invitation = make_invitation(make_round(), make_participant())
    base = f"/s/{invitation.token}"
    page = f"{base}/p/about"
    statuses = _post_all_at_once(_prepared_clients(app, page), page, {"role": "manager"})
    assert statuses == [302] * THREADS, "no error page for anyone"
    for section, data in (
        ("why", {"why_clarity": "3"}),
        ("overall", {"chapters_read": "why", "overall_usefulness": "7"}),
    ):
        prepared = _prepared_clients(app, f"{base}/p/{section}")
        _post_all_at_once(prepared[:1], f"{base}/p/{section}", data)
    review = f"{base}/review"
    statuses = _post_all_at_once(_prepared_clients(app, review), review, {})
    assert statuses == [302] * THREADS
    session.rollback()
    responses = session.scalars(select(Response).where(Response.invitation_id == invitation.id))
    (response,) = responses.all()
    assert response.status == "submitted"
    assert response.submission_count == THREADS, "every submission counted on the one response"
    answers = session.scalar(
        select(func.count()).select_from(Answer).where(Answer.response_id == response.id)
    )
    assert answers == 4


def test_a_submit_that_waited_for_a_save_checks_the_required_answers_that_save_left(
    app: Flask, session: Session, invitation: Any
) -> None:
    """Tab A's save empties a required answer while tab B's submit waits for the response:
    B must not submit a response without it. B checked the answers it had read before the
    lock; it now checks them again under it."""
    base = f"/s/{invitation.token}"
    for section, data in (
        ("about", {"role": "manager"}),
        ("why", {"why_clarity": "3"}),
        ("overall", {"chapters_read": "why", "overall_usefulness": "7"}),
    ):
        page = f"{base}/p/{section}"
        client, fields = _prepared_clients(app, page)[0]
        assert client.post(page, data={**fields, **data}).status_code == 302, section
    client, fields = _prepared_clients(app, f"{base}/review")[0]
    session.rollback()
    response = _response_of(session, invitation)

    status = _sent_while_another_save_holds(
        app,
        response.id,
        [
            delete(Answer).where(
                Answer.response_id == response.id, Answer.question_id == "why_clarity"
            )
        ],
        lambda: client.post(f"{base}/review", data=fields).status_code,
    )
    assert status == 422, "the review comes back with the missing answer"
    session.rollback()
    session.expire_all()
    assert session.get(Response, response.id).status != "submitted"  # type: ignore[union-attr]


def test_a_save_of_an_unchanged_response_writes_without_reading_it_again(
    app: Flask, session: Session, invitation: Any
) -> None:
    """The answers read with the link are those the save is worked out from: while the
    response's revision is still the one read, no locked read and no second read of the
    answers; the guarded UPDATE, then one upsert of the changed answer."""
    page = f"/s/{invitation.token}/p/why"
    client, fields = _prepared_clients(app, page)[0]
    assert client.post(page, data={**fields, "why_clarity": "3"}).status_code == 302
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(" ".join(str(args[2]).split()).upper())

    engine: Engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.post(page, data={**fields, "why_clarity": "4"}).status_code == 302
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert not [s for s in sent if "FOR UPDATE" in s or s.startswith("DELETE")], sent
    assert len([s for s in sent if s.startswith("SELECT")]) == 1, sent  # the link, answers
    updates = [s for s in sent if s.startswith("UPDATE RESPONSES")]
    assert len(updates) == 1 and "RESPONSES.REVISION =" in updates[0], sent
    assert len([s for s in sent if s.startswith("INSERT INTO ANSWERS")]) == 1, sent
    session.rollback()
    response = _response_of(session, invitation)
    assert response.revision == 2  # created, then moved on by each of the two saves
    stored = _stored_clarity(session, response.id)
    assert stored == 4


def test_a_save_that_waited_for_a_submit_keeps_the_submitted_rule(
    app: Flask, session: Session, invitation: Any
) -> None:
    """The save read a draft; a submit came in between. Worked out again under the lock, it
    finds the response submitted: a page with an error changes nothing (a draft would have
    kept the valid answer)."""
    page = f"/s/{invitation.token}/p/why"
    client, fields = _prepared_clients(app, page)[0]
    assert client.post(page, data={**fields, "why_clarity": "3"}).status_code == 302
    session.rollback()
    response = _response_of(session, invitation)
    submitted = (
        update(Response)
        .where(Response.id == response.id)
        .values(status="submitted", revision=Response.revision + 1)
    )
    invalid = {**fields, "why_clarity": "4", "why_tools.canvas": "99"}
    status = _sent_while_another_save_holds(
        app, response.id, [submitted], lambda: client.post(page, data=invalid).status_code
    )
    assert status == 422
    session.rollback()
    stored = _stored_clarity(session, response.id)
    assert stored == 3, "a submitted response changes only with a whole valid page"
