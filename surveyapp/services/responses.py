"""Responses: one per personal link, every sent page saved, submit and edit until closing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from ..db import utcnow
from ..definitions import Question, Section, Survey, visible_questions
from ..errors import UnknownLink
from ..models import Answer, Invitation, Participant, Response, Round
from .rounds import require_open
from .tokens import looks_like_token, new_token, same_token

ANSWERS: Table = Answer.__table__  # type: ignore[assignment]


@dataclass
class Link:
    """What a respondent's token opens: a round, and the invitation and/or response."""

    token: str
    round: Round
    invitation: Invitation | None = None
    response: Response | None = None

    @property
    def participant(self) -> Participant | None:
        return self.invitation.participant if self.invitation else None


# One query for the link, its round, participant and response: every page and save starts
# here (benchmarks/load). The statements are built once; each request only binds its token.
_LINK_BY_TOKEN = (
    select(Invitation, Response)
    .join(Invitation.round)
    .join(Invitation.participant)
    .outerjoin(
        Response,
        (Response.round_id == Invitation.round_id) & (Response.invitation_id == Invitation.id),
    )
    .options(contains_eager(Invitation.round), contains_eager(Invitation.participant))
    .where(Invitation.token == bindparam("token"))
)
_RESPONSE_BY_TOKEN = select(Response).where(Response.token == bindparam("token"))
_ANSWERS_OF = select(ANSWERS.c.question_id, ANSWERS.c.value).where(
    ANSWERS.c.response_id == bindparam("response_id")
)


def resolve_link(session: Session, token: str) -> Link:
    """Find the personal (or resumed open-link) response a token belongs to."""
    if not looks_like_token(token):
        raise UnknownLink("unknown link")
    row = session.execute(_LINK_BY_TOKEN, {"token": token}).first()
    if row is not None and same_token(row.Invitation.token, token):
        return Link(token, row.Invitation.round, row.Invitation, row.Response)
    response = session.scalar(_RESPONSE_BY_TOKEN, {"token": token})
    if response is not None and same_token(response.token, token):
        return Link(token, session.get_one(Round, response.round_id), None, response)
    raise UnknownLink("unknown link")


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


def ensure_response(session: Session, link: Link) -> Response:
    """The link's response, created on first save; two tabs racing still make one."""
    if link.response is not None:
        return link.response
    assert link.invitation is not None
    try:
        with session.begin_nested():
            response = Response(round_id=link.round.id, invitation_id=link.invitation.id)
            session.add(response)
    except IntegrityError:
        response = session.scalars(
            select(Response).where(
                Response.round_id == link.round.id, Response.invitation_id == link.invitation.id
            )
        ).one()
    link.response = response
    return response


def lock_response(session: Session, response: Response) -> None:
    """Serialise concurrent saves of one response (PostgreSQL row lock; SQLite locks on BEGIN).

    The row is read again under the lock, so counters never lose an update.
    """
    session.refresh(response, with_for_update=True)


def load_answers(session: Session, response: Response | None) -> dict[str, Any]:
    """Stored answers by question id; a "not applicable" answer is present with value None."""
    if response is None or response.id is None:
        return {}
    rows = session.execute(_ANSWERS_OF, {"response_id": response.id})
    return {qid: value for qid, value in rows}


def condition_values(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as conditions see them: "not applicable" counts as not answered."""
    return {k: v for k, v in answers.items() if v is not None}


def visible_sections(survey: Survey, answers: Mapping[str, Any]) -> list[Section]:
    """Sections with at least one question shown for these answers."""
    shown = visible_questions(survey, condition_values(answers))
    return [s for s in survey.sections if any(q.id in shown for q in s.questions)]


def write_answers(
    session: Session,
    response: Response,
    values: Mapping[str, Any],
    remove: Iterable[str] = (),
    section_id: str | None = None,
) -> None:
    """Replace the given answers in one delete and one bulk insert; remember the page."""
    touched = set(values) | set(remove)
    # Core statements on the table: the ORM's bulk paths cost more than the writes themselves
    # (benchmarks/load), and no respondent request holds Answer objects to keep in step.
    answers = ANSWERS
    if touched:
        session.execute(
            delete(answers).where(
                answers.c.response_id == response.id, answers.c.question_id.in_(sorted(touched))
            )
        )
    if values:
        session.execute(
            insert(answers),
            [{"response_id": response.id, "question_id": q, "value": v} for q, v in values.items()],
        )
    if section_id is not None:
        response.last_section = section_id
    response.updated_at = utcnow()  # written with the commit (or the caller's next flush)


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


def submit_response(session: Session, response: Response, survey: Survey) -> None:
    """Submit (or resubmit): drop hidden answers; the last submission counts, once."""
    answers = load_answers(session, response)
    hidden = hidden_answer_ids(survey, answers)
    if hidden:
        write_answers(session, response, {}, remove=hidden)
    response.status = "submitted"
    response.submitted_at = utcnow()
    response.submission_count += 1
    session.flush()
