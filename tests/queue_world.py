"""Many feedback items for the triage queue's tests: analysis_dataset's round 0.10 with
`count` more submitted comments ("Comment 0000", ...), inserted in bulk (no respondent
pages: the queue is under test, not the submit), then brought in as items."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.models import Answer, FeedbackItem, Response, Round
from surveyapp.services import feedback


def add_comments(session: Session, round_: Round, count: int) -> list[int]:
    """`count` submitted responses with one comment each; the ids of their items, in order."""
    first = session.scalar(select(Response.id).order_by(Response.id.desc()).limit(1)) or 0
    responses = [
        {"id": first + 1 + n, "round_id": round_.id, "status": "submitted", "language": "sv"}
        for n in range(count)
    ]
    answers = [
        {"response_id": r["id"], "question_id": "why_comment", "value": f"Comment {n:04d}"}
        for n, r in enumerate(responses)
    ]
    if count:
        session.execute(insert(Response), responses)
        session.execute(insert(Answer), answers)
    feedback.bring_in_comments(session, round_, actor=SETUP)
    session.commit()
    query = select(FeedbackItem.id).where(FeedbackItem.response_id > first)
    return list(session.scalars(query.order_by(FeedbackItem.id)))
