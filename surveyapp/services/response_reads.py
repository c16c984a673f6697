"""What a respondent's link reads: its round, invitation and response, the stored answers,
and which questions and sections those answers show. Nothing here writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.orm import Session

from ..db import json_object_agg
from ..definitions import (
    Question,
    Section,
    Survey,
    cached_snapshot,
    load_snapshot,
    visible_questions,
)
from ..errors import UnknownLink
from ..models import Answer, Invitation, Participant, Response, Round
from .tokens import looks_like_token, same_token

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
    # Moves on with every change of the row and its answers: a save writes only if it is
    # still the one read (services.page_save.save_page).
    revision: int = 0


@dataclass
class Link:
    """What a respondent's token opens: a round, and the invitation and/or response.

    Read as plain rows, not ORM objects: every page and save starts here, and loading four
    mapped objects cost more than the rest of the query (benchmarks/load). A save writes
    only while `response.revision` is still the one read here, or else reads `response`
    again under a lock (services.page_save.save_page).
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
RESPONSE_COLUMNS = (
    RESPONSES.c.id.label("response_id"),
    RESPONSES.c.status.label("response_status"),
    RESPONSES.c.language,
    RESPONSES.c.last_section,
    RESPONSES.c.revision.label("response_revision"),
)
_LINK_COLUMNS = (
    INVITATIONS.c.token,
    INVITATIONS.c.id.label("invitation_id"),
    INVITATIONS.c.started_at.label("invitation_started_at"),
    PARTICIPANTS.c.language.label("participant_language"),
    *_ROUND_COLUMNS,
    *RESPONSE_COLUMNS,
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
_RESUMED_COLUMNS = (RESPONSES.c.token, *_ROUND_COLUMNS, *RESPONSE_COLUMNS)
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

_DEFINITION_OF = select(ROUNDS.c.definition_yaml).where(ROUNDS.c.id == bindparam("round_id"))


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
            token, _link_round(row), row.invitation_id, row.participant_language, response_of(row)
        )
        link.invitation_started_at = row.invitation_started_at
    else:
        row = connection.execute(by_response_token, {"token": token}).first()
        if row is None or not same_token(row.token, token):
            raise UnknownLink("unknown link")
        link = Link(token, _link_round(row), None, None, response_of(row))
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


def response_of(row: Any) -> LinkResponse | None:
    """The response's columns of a row (RESPONSE_COLUMNS); None where it has none yet."""
    if row.response_id is None:
        return None
    return LinkResponse(
        row.response_id, row.response_status, row.language, row.last_section, row.response_revision
    )


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


def missing_required(survey: Survey, answers: Mapping[str, Any]) -> list[Question]:
    """Visible required questions without an answer (a matrix needs every row)."""
    shown = visible_questions(survey, condition_values(answers))
    missing = []
    for q in survey.iter_questions():
        if not q.required or q.id not in shown:
            continue
        if q.id not in answers or not is_complete(q, answers[q.id]):
            missing.append(q)
    return missing


def is_complete(q: Question, value: Any) -> bool:
    """An answer given counts as complete; a matrix's only with every row answered."""
    if q.kind.shape != "rows":
        return True
    return isinstance(value, dict) and all(str(r.value) in value for r in q.rows)


def hidden_answer_ids(survey: Survey, answers: Mapping[str, Any]) -> set[str]:
    """Stored answers to questions the conditions now hide; they are not kept."""
    shown = visible_questions(survey, condition_values(answers))
    return {qid for qid in answers if qid.split(".", 1)[0] not in shown}
