"""The dashboard's free-text answers: per chapter and question, how many there are and the
first few, so the page stays small in any round; nothing of a person in anonymous rounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from ..analysis.tidy import ResponseIds
from ..definitions import Survey, localize
from ..i18n import _
from ..models import Answer, Invitation, Participant, Response, Round

# Free-text answers shown per question; the rest are on the triage page. The page's size
# does not grow with the round.
TEXTS_SHOWN = 3


@dataclass(frozen=True)
class FreeText:
    answer: str
    language: str  # empty in anonymous rounds
    group: str  # empty in anonymous rounds


@dataclass
class TextQuestion:
    """The first TEXTS_SHOWN free-text answers to one question (or "other" text) of `total`."""

    question_id: str
    question: str  # its text
    total: int
    items: list[FreeText] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _free_text_questions(survey: Survey, lang: str) -> dict[str, tuple[str, str]]:
    """Chapter and text (in `lang`) of every free-text answer's id, in survey order."""
    found: dict[str, tuple[str, str]] = {}
    for section in survey.sections:
        for q in section.questions:
            ids = [q.id] if q.kind.is_free_text else [f"{q.id}.other"] if q.other else []
            for qid in ids:
                text = localize(q.text, lang)
                found[qid] = (
                    section.chapter or "",
                    text if qid == q.id else f"{text}: {_('Other')}",
                )
    return found


def free_texts(
    session: Session,
    round_: Round,
    survey: Survey,
    lang: str,
    responses: ResponseIds | None,
    shown: int = TEXTS_SHOWN,
    totals: dict[str, int] | None = None,
) -> dict[str, list[TextQuestion]]:
    """Per chapter, per free-text question (text questions and "other" texts) how many
    answers there are (`totals`, by question id, if known) and the first `shown` of them:
    the page stays small in any round.

    The group is read only when the round is not anonymous; nothing else about a person is.
    An anonymous round's texts are never beside a language or group nor under a filter, and
    the first are those first by their text: their order tells nothing of who wrote them.
    """
    questions = _free_text_questions(survey, lang)
    if round_.is_anonymous and responses is not None:
        responses, totals = None, None  # `totals` counted the filtered responses
    if totals is None:
        totals = _free_text_totals(session, round_, list(questions), responses)
    grouped: dict[str, list[TextQuestion]] = {}
    for qid, (chapter, text) in questions.items():
        if not totals.get(qid):
            continue
        found = TextQuestion(qid, text, totals[qid])
        if round_.is_anonymous:
            query = _free_text_query(round_, [qid], [Answer.value]).order_by(
                cast(Answer.value, Text)
            )
            found.items = [FreeText(str(v), "", "") for (v,) in session.execute(query.limit(shown))]
        else:
            found.items = _named_free_texts(session, round_, qid, responses, shown)
        grouped.setdefault(chapter, []).append(found)
    return grouped


def _free_text_totals(
    session: Session, round_: Round, question_ids: list[str], responses: ResponseIds | None
) -> dict[str, int]:
    query = _free_text_query(round_, question_ids, [Answer.question_id, func.count()]).group_by(
        Answer.question_id
    )
    if responses is not None:
        query = query.where(Response.id.in_(responses))
    return {qid: int(n) for qid, n in session.execute(query)}


def _named_free_texts(
    session: Session, round_: Round, qid: str, responses: ResponseIds | None, shown: int
) -> list[FreeText]:
    columns: list[Any] = [Answer.value, Response.language, Participant.group]
    query = (
        _free_text_query(round_, [qid], columns)
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Participant, Participant.id == Invitation.participant_id)
        .order_by(Response.id)
        .limit(shown)
    )
    if responses is not None:
        query = query.where(Response.id.in_(responses))
    return [
        FreeText(str(value), language or "", group or "")
        for value, language, group in session.execute(query)
    ]


def _free_text_query(round_: Round, question_ids: list[str], columns: list[Any]) -> Any:
    return (
        select(*columns)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.round_id == round_.id, Response.status == "submitted")
        .where(Answer.question_id.in_(question_ids), Answer.value.is_not(None))
    )
