"""Many feedback items for the triage queue's tests: analysis_dataset's round 0.10 with
`count` more submitted comments ("Comment 0000", ...), inserted in bulk (no respondent
pages: the queue is under test, not the submit), then brought in as items."""

from __future__ import annotations

from pathlib import Path

from analysis_dataset import respond
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import Answer, FeedbackItem, Response, Round
from surveyapp.services import feedback, rounds
from surveyapp.services.feedback import same_answer


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


# A survey with a free-text question in each of two chapters of the manual (surveys/
# manual.yaml): `why_text` of the topic "crises" and `how_text`.
DUPS_SURVEY = """\
id: dups-test
title: {en: Duplicates test, fi: Kaksoistesti, sv: Dubbletttest}
languages: [en, fi, sv]
sections:
  - id: why
    chapter: why
    title: {en: Why, fi: Miksi, sv: Varför}
    questions:
      - id: why_text
        type: text
        topic: crises
        text: {en: What is missing?, fi: Mitä puuttuu?, sv: Vad saknas?}
  - id: how
    chapter: how
    title: {en: How, fi: Miten, sv: Hur}
    questions:
      - id: how_text
        type: text
        text: {en: What should change?, fi: Mitä pitäisi muuttaa?, sv: Vad borde ändras?}
"""
# The same sentence with its words moved and a typo; an unrelated one.
PLANTED = "In chapter three the checklist should list the deadlines of each step."
TWIN = "The checklist in chapter three should list the dedlines of each step"
UNRELATED = "Fewer acronyms, please: nobody knows what they mean."


def dups_round(
    session: Session, tmp_path: Path, answers: list[tuple[str, str, str]], anonymous: bool = False
) -> tuple[Round, dict[str, int]]:
    """A round of dups-test with a submitted response for each (question, language, text),
    its comments brought in; the round and the item id of each text."""
    (tmp_path / "dups").mkdir(exist_ok=True)
    (tmp_path / "dups" / "dups-test.yaml").write_text(DUPS_SURVEY, encoding="utf-8")
    registry = SurveyRegistry(tmp_path / "dups")
    round_ = rounds.open_round(
        session, registry, "dups-test", "0.3", is_anonymous=anonymous, actor=SETUP
    )
    for question, language, text in answers:
        respond(session, round_, {question: text}, language=language)
    feedback.bring_in_comments(session, round_, actor=SETUP)
    session.commit()
    query = (
        select(Answer.value, FeedbackItem.id)
        .join(FeedbackItem, same_answer())
        .where(FeedbackItem.round_id == round_.id)
    )
    return round_, {value: item_id for value, item_id in session.execute(query)}
