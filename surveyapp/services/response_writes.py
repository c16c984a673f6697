"""What a respondent's requests write: the response (created on the first save, under a
row lock), its answers, its submission, and the invitation's marks. Nothing here commits:
the caller's one write transaction does (db.begin_write)."""

from __future__ import annotations

import functools
import json
from collections.abc import Container, Iterable, Mapping
from dataclasses import fields
from typing import Any

from sqlalchemy import ColumnElement, bindparam, case, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, NoResultFound
from sqlalchemy.orm import Session

from ..db import utcnow
from ..definitions import Question, Survey
from ..errors import InvalidRequest
from ..models import Response, Round
from .feedback import add_response_items
from .response_reads import (
    ANSWERS,
    INVITATIONS,
    RESPONSE_COLUMNS,
    RESPONSES,
    ROUNDS,
    Link,
    LinkResponse,
    hidden_answer_ids,
    load_answers,
    missing_required,
    response_of,
)
from .rounds import require_open
from .tokens import new_token

_LINK_RESPONSE_FIELDS = frozenset(f.name for f in fields(LinkResponse))
# A save's read of the response's row under its lock. Its answers are read by a statement
# of their own once the lock is held: in READ COMMITTED, a statement that waited for the
# lock sees the locked row as the other save left it but joined rows as they were when the
# statement began, so answers read with the lock could be older than the row.
_LOCKED_RESPONSE = select(*RESPONSE_COLUMNS).with_for_update()
_RESPONSE_BY_ID_LOCKED = _LOCKED_RESPONSE.where(RESPONSES.c.id == bindparam("response_id"))
_RESPONSE_OF_INVITATION_LOCKED = _LOCKED_RESPONSE.where(
    RESPONSES.c.invitation_id == bindparam("invitation_id")
)
_DELETE_ANSWERS = delete(ANSWERS).where(
    ANSWERS.c.response_id == bindparam("response_id"),
    ANSWERS.c.question_id.in_(bindparam("question_ids", expanding=True)),
)
# An invitation keeps when its response began and was first submitted (reminders and the
# monitor read them). In an anonymous round that is all it keeps of its response, and the
# time kept is the round's opening, the same for every invitation: a real time could be
# matched with the response's own started_at and submitted_at.
_ROUND_OF_INVITATION = ROUNDS.c.id == INVITATIONS.c.round_id
_MARK = case(
    (
        select(ROUNDS.c.is_anonymous).where(_ROUND_OF_INVITATION).scalar_subquery(),
        select(func.coalesce(ROUNDS.c.opened_at, ROUNDS.c.created_at))
        .where(_ROUND_OF_INVITATION)
        .scalar_subquery(),
    ),
    else_=bindparam("now", type_=INVITATIONS.c.started_at.type),
)
# Whether the response's round is anonymous, inside the submit's UPDATE of the response.
_ROUND_IS_ANONYMOUS = (
    select(ROUNDS.c.is_anonymous).where(ROUNDS.c.id == RESPONSES.c.round_id).scalar_subquery()
)
INVITATION_STARTED = (
    update(INVITATIONS)
    .where(INVITATIONS.c.id == bindparam("invitation_id"), INVITATIONS.c.started_at.is_(None))
    .values(started_at=_MARK)
)
_INVITATION_SUBMITTED = (
    update(INVITATIONS)
    .where(
        INVITATIONS.c.id == bindparam("b_invitation_id"),
        INVITATIONS.c.round_id == bindparam("b_round_id"),
        INVITATIONS.c.submitted_at.is_(None),
    )
    .values(submitted_at=_MARK)
)


def start_open_response(session: Session, round_: Round, language: str | None) -> Response:
    """A fresh response for an open-link visitor, resumable through its own token."""
    require_open(round_)
    response = Response(round_id=round_.id, token=new_token(), language=language)
    session.add(response)
    session.flush()
    return response


def ensure_response(session: Session, link: Link, language: str | None = None) -> LinkResponse:
    """The link's response, read again under a row lock, then its answers (into
    `link.answers`); the response is created on first save, in `language` (the one its
    page was shown in), and its invitation marked started.

    The lock serialises concurrent saves of one response (a row lock on PostgreSQL; SQLite
    has locked the database at BEGIN IMMEDIATE), and the row is read again under it, so
    counters never lose an update. Two tabs racing to create it still make one.
    """
    connection = session.connection()
    if link.response is None:
        assert link.invitation_id is not None
        if link.round.is_anonymous:
            # Such a response would point at its invitation (services.anonymous begins one).
            raise InvalidRequest("an anonymous round's invitation link only begins a response")
        try:
            # Through the session, which emits the SAVEPOINT before the INSERT.
            with session.begin_nested():
                session.execute(  # the model's column defaults fill in the rest
                    insert(RESPONSES).values(
                        round_id=link.round.id, invitation_id=link.invitation_id, language=language
                    )
                )
        except IntegrityError:
            pass  # the other tab's response, read below
        mark_invitation_started(session, link.invitation_id)
        rows = connection.execute(
            _RESPONSE_OF_INVITATION_LOCKED, {"invitation_id": link.invitation_id}
        ).all()
    else:
        rows = connection.execute(_RESPONSE_BY_ID_LOCKED, {"response_id": link.response.id}).all()
    if not rows:
        raise NoResultFound("the response is gone")
    response = response_of(rows[0])
    assert response is not None
    link.response = response
    link.answers = load_answers(session, response)
    return response


def write_answers(
    session: Session,
    response: Response | LinkResponse,
    values: Mapping[str, Any],
    remove: Iterable[str] = (),
    section_id: str | None = None,
    *,
    touch: bool = True,
    stored: Mapping[str, Any] | None = None,
) -> None:
    """Store the given answers in one bulk upsert and drop `remove` in one delete; remember
    the page.

    With touch=False the response's row is left for the caller to update (in one UPDATE
    with what else it changes). With `stored`, the answers the response has now (read
    under its lock, or at the revision the caller's UPDATE checked), only what differs is
    written: a page sent again unchanged writes no answer.
    """
    if stored is not None:
        values = {k: v for k, v in values.items() if not _same_answer(stored, k, v)}
        remove = [k for k in remove if k in stored]
    # Core statements on the connection: the ORM's bulk paths, and even its execute, cost
    # more than the writes themselves (benchmarks/load), and no respondent request holds
    # Answer objects to keep in step. What the session has pending goes first, as its
    # autoflush would do (a response just added, say).
    session.flush()
    connection = session.connection()
    if remove:
        connection.execute(
            _DELETE_ANSWERS, {"response_id": response.id, "question_ids": sorted(set(remove))}
        )
    if values:
        connection.execute(
            _upsert_answers(connection.dialect.name),
            [{"response_id": response.id, "question_id": q, "value": v} for q, v in values.items()],
        )
    if touch:
        changes: dict[str, Any] = {"updated_at": utcnow()}
        if section_id is not None:
            changes["last_section"] = section_id
        update_response(session, response, **changes)


@functools.cache
def _upsert_answers(dialect: str) -> Any:
    """An answer replaces the one stored for its question: one statement where a delete
    and an insert were two round trips (both databases have INSERT … ON CONFLICT)."""
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ANSWERS)
    return statement.on_conflict_do_update(
        index_elements=[ANSWERS.c.response_id, ANSWERS.c.question_id],
        set_={"value": statement.excluded.value},
    )


_SCALARS = (str, int, float, bool)


def _same_answer(stored: Mapping[str, Any], key: str, value: Any) -> bool:
    """True if `stored` holds `value` under `key` as it would be written (1, 1.0 and True
    are three different answers)."""
    if key not in stored:
        return False
    old = stored[key]
    if type(old) is not type(value):
        return False
    if value is None or isinstance(value, _SCALARS):
        return bool(old == value)
    return json.dumps(old, sort_keys=True) == json.dumps(value, sort_keys=True)


def update_response(
    session: Session,
    response: Response | LinkResponse,
    *,
    if_revision: int | None = None,
    **changes: Any,
) -> bool:
    """Change the response's row in one UPDATE that also moves its revision on (a mapped
    Response in the session follows). With `if_revision`, only if the row is still at that
    revision: False (and nothing changed) if it is not, or is gone."""
    if not isinstance(response, LinkResponse):
        assert if_revision is None
        # The mapped attribute, which the ORM can evaluate in Python for the object it holds.
        bump = {"revision": Response.revision + 1}
        session.execute(
            update(Response).where(Response.id == response.id).values(**changes, **bump)
        )
        return True
    # A respondent's request: a Core statement on the connection, built once per set of
    # columns (the ORM's UPDATE cost a third of a page save's CPU, benchmarks/load).
    plain = {k: v for k, v in changes.items() if not isinstance(v, ColumnElement)}
    guarded = if_revision is not None
    if len(plain) == len(changes):
        statement = _plain_update(tuple(sorted(changes)), guarded)
    else:
        statement = _update_of(changes, plain.keys(), guarded)
    params = {f"new_{k}": v for k, v in plain.items()}
    if guarded:
        params["seen_revision"] = if_revision
    result = session.connection().execute(statement, {"response_id": response.id, **params})
    if result.rowcount != 1:
        return False
    response.revision += 1
    for name in _LINK_RESPONSE_FIELDS & plain.keys():  # the plain copy follows where it can
        setattr(response, name, plain[name])
    return True


@functools.cache
def _plain_update(columns: tuple[str, ...], guarded: bool) -> Any:
    return _update_of(dict.fromkeys(columns), columns, guarded)


def _update_of(changes: Mapping[str, Any], plain: Container[str], guarded: bool) -> Any:
    """UPDATE of the response `response_id` (at revision `seen_revision` if `guarded`):
    each plain change bound as `new_<column>`, the others as given, the revision + 1."""
    statement = update(RESPONSES).where(RESPONSES.c.id == bindparam("response_id"))
    if guarded:
        statement = statement.where(RESPONSES.c.revision == bindparam("seen_revision"))
    values = {k: bindparam(f"new_{k}") if k in plain else v for k, v in changes.items()}
    return statement.values({**values, "revision": RESPONSES.c.revision + 1})


def mark_invitation_started(session: Session, invitation_id: int) -> None:
    """The invitation's response has begun (kept from the first time only)."""
    session.connection().execute(
        INVITATION_STARTED, {"invitation_id": invitation_id, "now": utcnow()}
    )


def mark_invitation_submitted(session: Session, invitation_id: int, round_id: int) -> None:
    """A response was submitted through this invitation of this round (the first time is
    kept): what reminders and the monitor go by in an anonymous round."""
    session.connection().execute(
        _INVITATION_SUBMITTED,
        {"b_invitation_id": invitation_id, "b_round_id": round_id, "now": utcnow()},
    )


def submit_response(
    session: Session,
    response: Response | LinkResponse,
    survey: Survey,
    language: str | None = None,
    answers: Mapping[str, Any] | None = None,
) -> None:
    """Submit (or resubmit): drop hidden answers; the last submission counts, once. With
    `language`, the one the review page was shown in is the response's from now on;
    `answers`: the stored ones, if read under the response's lock already."""
    if answers is None:
        answers = load_answers(session, response)
    hidden = hidden_answer_ids(survey, answers)
    if hidden:
        write_answers(session, response, {}, remove=hidden, touch=False)  # updated below
    update_response(
        session,
        response,
        status="submitted",
        submitted_at=utcnow(),
        submission_count=Response.submission_count + 1,
        # A named round's comments become items just below; an anonymous round's wait.
        comments_pending=_ROUND_IS_ANONYMOUS,
        **language_change(response, language),
    )
    # Editors triage the comments; the triage page only reads, so they are added here.
    add_response_items(session, response.id, survey)


def submit_page(
    session: Session, link: Link, survey: Survey, language: str, invitation_id: int | None
) -> list[Question]:
    """Submit `link`'s response from the review page, shown in `language`, inside the
    caller's write transaction. Its answers are read again under its lock (another tab may
    have saved); the required questions still unanswered are returned, and then nothing is
    written. `invitation_id`: the invitation to mark submitted, if known."""
    response = ensure_response(session, link, language)
    missing = missing_required(survey, link.stored_answers())
    if missing:
        return missing
    submit_response(session, response, survey, language, link.stored_answers())
    if invitation_id is not None:
        mark_invitation_submitted(session, invitation_id, link.round.id)
    return []


def language_change(response: Response | LinkResponse, language: str | None) -> dict[str, Any]:
    """The respondent's choice of language (?lang=, kept in their session) is stored with
    the next page they send: a GET writes nothing."""
    return {"language": language} if language and response.language != language else {}
