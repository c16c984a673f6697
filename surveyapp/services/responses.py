"""Responses: one per personal link, every sent page saved, submit and edit until closing."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, NoResultFound
from sqlalchemy.orm import Session

from ..db import json_object_agg, utcnow
from ..definitions import (
    Question,
    Section,
    Survey,
    cached_snapshot,
    load_snapshot,
    visible_questions,
)
from ..errors import InvalidRequest, UnknownLink
from ..models import Answer, Invitation, Participant, Response, Round
from .rounds import require_open
from .tokens import looks_like_token, new_token, same_token

ANSWERS: Table = Answer.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class LinkRound:
    """What a respondent's page needs of a round."""

    id: int
    status: str
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    is_anonymous: bool
    definition_hash: str


@dataclass
class LinkResponse:
    """What a respondent's page needs of a response, as read with the link."""

    id: int
    status: str
    language: str | None
    last_section: str | None


_LINK_RESPONSE_FIELDS = frozenset(f.name for f in fields(LinkResponse))


@dataclass
class Link:
    """What a respondent's token opens: a round, and the invitation and/or response.

    Read as plain rows, not ORM objects: every page and save starts here, and loading four
    mapped objects cost more than the rest of the query (benchmarks/load). A save reads
    `response` again under a lock (ensure_response).
    """

    token: str
    round: LinkRound
    invitation_id: int | None = None
    participant_language: str | None = None
    response: LinkResponse | None = None
    # Stored answers by question id, when read with the link (resolve_link with_answers).
    answers: dict[str, Any] | None = None
    # When the invitation's response was begun: all an anonymous round's invitation knows.
    invitation_started_at: dt.datetime | None = None

    def stored_answers(self) -> dict[str, Any]:
        assert self.answers is not None, "read the link with_answers"
        return self.answers


ROUNDS: Table = Round.__table__  # type: ignore[assignment]
INVITATIONS: Table = Invitation.__table__  # type: ignore[assignment]
PARTICIPANTS: Table = Participant.__table__  # type: ignore[assignment]
RESPONSES: Table = Response.__table__  # type: ignore[assignment]
_ROUND_COLUMNS = (
    ROUNDS.c.id.label("round_id"),
    ROUNDS.c.status.label("round_status"),
    ROUNDS.c.opens_at,
    ROUNDS.c.closes_at,
    ROUNDS.c.is_anonymous,
    ROUNDS.c.definition_hash,
)
_RESPONSE_COLUMNS = (
    RESPONSES.c.id.label("response_id"),
    RESPONSES.c.status.label("response_status"),
    RESPONSES.c.language,
    RESPONSES.c.last_section,
)
_LINK_COLUMNS = (
    INVITATIONS.c.token,
    INVITATIONS.c.id.label("invitation_id"),
    INVITATIONS.c.started_at.label("invitation_started_at"),
    PARTICIPANTS.c.language.label("participant_language"),
    *_ROUND_COLUMNS,
    *_RESPONSE_COLUMNS,
)
_LINK_TABLES = (
    INVITATIONS.join(ROUNDS, ROUNDS.c.id == INVITATIONS.c.round_id)
    .join(PARTICIPANTS, PARTICIPANTS.c.id == INVITATIONS.c.participant_id)
    .outerjoin(
        RESPONSES,
        (RESPONSES.c.round_id == INVITATIONS.c.round_id)
        & (RESPONSES.c.invitation_id == INVITATIONS.c.id),
    )
)
_RESUMED_COLUMNS = (RESPONSES.c.token, *_ROUND_COLUMNS, *_RESPONSE_COLUMNS)
_RESUMED_TABLES = RESPONSES.join(ROUNDS, ROUNDS.c.id == RESPONSES.c.round_id)
# With answers, the link comes with its response's answers as one JSON object: one query
# instead of two (a round trip less on PostgreSQL for every page), and one JSON document to
# decode instead of a row and a JSON value per answer.
_ANSWERS_OBJECT = (
    select(json_object_agg(ANSWERS.c.question_id, ANSWERS.c.value))
    .where(ANSWERS.c.response_id == RESPONSES.c.id)
    .scalar_subquery()
    .label("answers")
)
# The statements are built once; each request only binds its token.
_LINK_QUERIES = {
    with_answers: (
        select(*_LINK_COLUMNS, *((_ANSWERS_OBJECT,) if with_answers else ()))
        .select_from(_LINK_TABLES)
        .where(INVITATIONS.c.token == bindparam("token")),
        select(*_RESUMED_COLUMNS, *((_ANSWERS_OBJECT,) if with_answers else ()))
        .select_from(_RESUMED_TABLES)
        .where(RESPONSES.c.token == bindparam("token")),
    )
    for with_answers in (False, True)
}
_ANSWERS_OF = select(ANSWERS.c.question_id, ANSWERS.c.value).where(
    ANSWERS.c.response_id == bindparam("response_id")
)
# A save's read of the response's row under its lock. Its answers are read by a statement
# of their own once the lock is held: in READ COMMITTED, a statement that waited for the
# lock sees the locked row as the other save left it but joined rows as they were when the
# statement began, so answers read with the lock could be older than the row.
_LOCKED_RESPONSE = select(*_RESPONSE_COLUMNS).with_for_update()
_RESPONSE_BY_ID_LOCKED = _LOCKED_RESPONSE.where(RESPONSES.c.id == bindparam("response_id"))
_RESPONSE_OF_INVITATION_LOCKED = _LOCKED_RESPONSE.where(
    RESPONSES.c.invitation_id == bindparam("invitation_id")
)
_DELETE_ANSWERS = delete(ANSWERS).where(
    ANSWERS.c.response_id == bindparam("response_id"),
    ANSWERS.c.question_id.in_(bindparam("question_ids", expanding=True)),
)
_INSERT_ANSWERS = insert(ANSWERS)
_DEFINITION_OF = select(ROUNDS.c.definition_yaml).where(ROUNDS.c.id == bindparam("round_id"))
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


def resolve_link(db: Session | Connection, token: str, *, with_answers: bool = False) -> Link:
    """Find the personal (or resumed open-link) response a token belongs to; with its
    stored answers in `Link.answers` if asked."""
    if not looks_like_token(token):
        raise UnknownLink("unknown link")
    connection = _connection(db)
    by_invitation, by_response_token = _LINK_QUERIES[with_answers]
    row = connection.execute(by_invitation, {"token": token}).first()
    if row is not None and same_token(row.token, token):
        link = Link(
            token, _link_round(row), row.invitation_id, row.participant_language, _response(row)
        )
        link.invitation_started_at = row.invitation_started_at
    else:
        row = connection.execute(by_response_token, {"token": token}).first()
        if row is None or not same_token(row.token, token):
            raise UnknownLink("unknown link")
        link = Link(token, _link_round(row), None, None, _response(row))
    if with_answers:
        link.answers = row.answers or {}  # NULL: no response, or none of its answers stored
    return link


def _link_round(row: Any) -> LinkRound:
    return LinkRound(
        row.round_id,
        row.round_status,
        row.opens_at,
        row.closes_at,
        bool(row.is_anonymous),
        row.definition_hash,
    )


def _response(row: Any) -> LinkResponse | None:
    if row.response_id is None:
        return None
    return LinkResponse(row.response_id, row.response_status, row.language, row.last_section)


def link_survey(db: Session | Connection, link: Link) -> Survey:
    """The link's frozen definition; its text is read only when no worker cache has it."""
    survey = cached_snapshot(link.round.definition_hash)
    if survey is not None:
        return survey
    text = _connection(db).execute(_DEFINITION_OF, {"round_id": link.round.id}).scalar_one()
    return load_snapshot(text)


def _connection(db: Session | Connection) -> Connection:
    """A respondent's reads run on a connection (db.read_connection); tests pass a session."""
    return db.connection() if isinstance(db, Session) else db


def resolve_open_link(session: Session, token: str) -> Round:
    """The round whose open link this is."""
    if looks_like_token(token):
        round_ = session.scalar(select(Round).where(Round.open_link_token == token))
        if round_ is not None and same_token(round_.open_link_token, token):
            return round_
    raise UnknownLink("unknown link")


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
    response = _response(rows[0])
    assert response is not None
    link.response = response
    link.answers = load_answers(session, response)
    return response


def load_answers(session: Session, response: Response | LinkResponse | None) -> dict[str, Any]:
    """Stored answers by question id; a "not applicable" answer is present with value None."""
    if response is None or response.id is None:
        return {}
    # On the connection: the ORM's execute path cost more than the query (benchmarks/load).
    rows = session.connection().execute(_ANSWERS_OF, {"response_id": response.id})
    return {qid: value for qid, value in rows}


def condition_values(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as conditions see them: "not applicable" counts as not answered."""
    return {k: v for k, v in answers.items() if v is not None}


def visible_sections(survey: Survey, answers: Mapping[str, Any]) -> list[Section]:
    """Sections with at least one question shown for these answers."""
    return sections_showing(survey, visible_questions(survey, condition_values(answers)))


def sections_showing(survey: Survey, shown: Container[str]) -> list[Section]:
    """Sections with at least one of these questions."""
    return [s for s in survey.sections if any(q.id in shown for q in s.questions)]


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
    """Replace the given answers in one delete and one bulk insert; remember the page.

    With touch=False the response's row is left for the caller to update (in one UPDATE
    with what else it changes). With `stored`, the answers the response has now (read
    under its lock), only what differs is deleted and inserted: a page sent again
    unchanged, or saved for the first time, needs no DELETE.
    """
    if stored is None:
        touched = set(values) | set(remove)
    else:
        values = {k: v for k, v in values.items() if not _same_answer(stored, k, v)}
        touched = {k for k in (*values, *remove) if k in stored}
    # Core statements on the connection: the ORM's bulk paths, and even its execute, cost
    # more than the writes themselves (benchmarks/load), and no respondent request holds
    # Answer objects to keep in step. What the session has pending goes first, as its
    # autoflush would do (a response just added, say).
    session.flush()
    connection = session.connection()
    if touched:
        connection.execute(
            _DELETE_ANSWERS, {"response_id": response.id, "question_ids": sorted(touched)}
        )
    if values:
        connection.execute(
            _INSERT_ANSWERS,
            [{"response_id": response.id, "question_id": q, "value": v} for q, v in values.items()],
        )
    if touch:
        changes: dict[str, Any] = {"updated_at": utcnow()}
        if section_id is not None:
            changes["last_section"] = section_id
        update_response(session, response, **changes)


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


def update_response(session: Session, response: Response | LinkResponse, **changes: Any) -> None:
    """Change the response's row in one UPDATE (a mapped Response in the session follows)."""
    if not isinstance(response, LinkResponse):
        session.execute(update(Response).where(Response.id == response.id).values(**changes))
        return
    # A respondent's request: a Core statement on the connection, built once per set of
    # columns (the ORM's UPDATE cost a third of a page save's CPU, benchmarks/load).
    plain = {k: v for k, v in changes.items() if not isinstance(v, ColumnElement)}
    if len(plain) == len(changes):
        statement = _plain_update(tuple(sorted(changes)))
    else:
        statement = update(RESPONSES).where(RESPONSES.c.id == bindparam("response_id"))
        statement = statement.values(
            {k: v if k not in plain else bindparam(f"new_{k}") for k, v in changes.items()}
        )
    params = {f"new_{k}": v for k, v in plain.items()}
    session.connection().execute(statement, {"response_id": response.id, **params})
    for name in _LINK_RESPONSE_FIELDS & plain.keys():  # the plain copy follows where it can
        setattr(response, name, plain[name])


@functools.cache
def _plain_update(columns: tuple[str, ...]) -> Any:
    return (
        update(RESPONSES)
        .where(RESPONSES.c.id == bindparam("response_id"))
        .values({c: bindparam(f"new_{c}") for c in columns})
    )


def missing_required(survey: Survey, answers: Mapping[str, Any]) -> list[Question]:
    """Visible required questions without an answer (a matrix needs every row)."""
    shown = visible_questions(survey, condition_values(answers))
    missing = []
    for q in survey.iter_questions():
        if not q.required or q.id not in shown:
            continue
        if q.id not in answers or (q.type == "matrix" and not _all_rows(q, answers[q.id])):
            missing.append(q)
    return missing


def _all_rows(q: Question, value: Any) -> bool:
    return isinstance(value, dict) and all(str(r.value) in value for r in q.rows)


def hidden_answer_ids(survey: Survey, answers: Mapping[str, Any]) -> set[str]:
    """Stored answers to questions the conditions now hide; they are not kept."""
    shown = visible_questions(survey, condition_values(answers))
    return {qid for qid in answers if qid.split(".", 1)[0] not in shown}


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


def submit_response(session: Session, response: Response | LinkResponse, survey: Survey) -> None:
    """Submit (or resubmit): drop hidden answers; the last submission counts, once."""
    answers = load_answers(session, response)
    hidden = hidden_answer_ids(survey, answers)
    if hidden:
        write_answers(session, response, {}, remove=hidden)
    update_response(
        session,
        response,
        status="submitted",
        submitted_at=utcnow(),
        submission_count=Response.submission_count + 1,
    )
