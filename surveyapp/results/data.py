"""What the results dashboard shows, shaped for its template: figures, bars, texts, changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..analysis.aggregate import QuestionStats, RoundSummary, summarise
from ..analysis.compare import Comparison, compare_rounds
from ..analysis.filters import CHOICE_TYPES, Filters, filter_choices, matching_responses
from ..analysis.tidy import ResponseIds
from ..definitions import Question, Survey, localize
from ..definitions.schema import OTHER_VALUE
from ..i18n import _
from ..models import Answer, Invitation, Participant, Response, Round
from ..services.monitor import Figures, round_figures
from ..services.rounds import round_survey

# The chart is drawn in pixels and percentages, never scaled: per value a line of text
# ("label: count (share)") and below it a bar as wide as the share, so it fits any screen.
ROW_HEIGHT, BAR_HEIGHT = 40, 12
LABEL_CHARS = 32


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    count: int
    share: float | None
    y: int
    width: float  # percent of the chart's width


@dataclass
class QuestionView:
    """One question (or matrix row) with its figures and chart bars."""

    key: str
    text: str
    stats: QuestionStats
    bars: list[Bar]

    @property
    def height(self) -> int:
        return ROW_HEIGHT * len(self.bars)

    @property
    def chart_label(self) -> str:
        """The chart's text alternative: the question and every bar's figures."""
        parts = [
            _(
                "%(label)s: %(count)d (%(share)s)",
                label=b.label,
                count=b.count,
                share=percent(b.share),
            )
            for b in self.bars
        ]
        return f"{self.text}. " + "; ".join(parts)


@dataclass(frozen=True)
class FreeText:
    question: str
    answer: str
    language: str
    group: str


@dataclass
class Dashboard:
    survey: Survey
    lang: str
    filters: Filters
    figures: Figures
    summary: RoundSummary
    questions: list[QuestionView]
    texts: dict[str, list[FreeText]]
    comparison: Comparison | None
    choices: dict[str, list[str]]
    answer_choices: list[tuple[str, str]] = field(default_factory=list)
    question_texts: dict[str, str] = field(default_factory=dict)


def percent(share: float | None) -> str:
    return f"{round(100 * share)} %" if share is not None else "–"


def _bars(q: Question, stats: QuestionStats) -> list[Bar]:
    bars = []
    for i, c in enumerate(stats.counts):
        label = _("Other") if q.other and c.value == OTHER_VALUE else c.label
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        width = 100 * (c.share or 0.0)
        bars.append(Bar(label, short, c.count, c.share, i * ROW_HEIGHT, width))
    return bars


def question_views(survey: Survey, summary: RoundSummary, lang: str) -> list[QuestionView]:
    """The summary's questions in survey order, each with its text in `lang` and its bars."""
    questions = {q.id: q for q in survey.iter_questions()}
    views = []
    for s in summary.questions:
        q = questions[s.question_id]
        text = localize(q.text, lang) + (f" — {s.row_label}" if s.row else "")
        key = f"{s.question_id}.{s.row}" if s.row else s.question_id
        views.append(QuestionView(key, text, s, _bars(q, s)))
    return views


def free_texts(
    session: Session, round_: Round, survey: Survey, lang: str, responses: ResponseIds | None
) -> dict[str, list[FreeText]]:
    """Every free-text answer (text questions and "other" texts), grouped by chapter.

    The group is read only when the round is not anonymous; nothing else about a person is.
    """
    chapters: dict[str, str] = {}
    texts: dict[str, str] = {}
    for section in survey.sections:
        for q in section.questions:
            ids = [q.id] if q.type == "text" else [f"{q.id}.other"] if q.other else []
            for qid in ids:
                chapters[qid] = section.chapter or ""
                texts[qid] = localize(q.text, lang)
    columns: list[Any] = [Answer.question_id, Answer.value, Response.language]
    if not round_.is_anonymous:
        columns.append(Participant.group)
    query = (
        select(*columns)
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Participant, Participant.id == Invitation.participant_id)
        .where(Response.round_id == round_.id, Response.status == "submitted")
        .where(Answer.question_id.in_(list(chapters)), Answer.value.is_not(None))
        .order_by(Response.id, Answer.question_id)
    )
    if responses is not None:
        query = query.where(Response.id.in_(responses))
    grouped: dict[str, list[FreeText]] = {}
    for row in session.execute(query):
        qid, value, language = row[0], row[1], row[2]
        group = row[3] if len(row) > 3 else ""
        item = FreeText(texts[qid], str(value), language or "", group or "")
        grouped.setdefault(chapters[qid], []).append(item)
    return grouped


def answer_choices(survey: Survey, lang: str) -> list[tuple[str, str]]:
    """(`question_id:value`, "question: option") for every single- and multiple-choice answer."""
    found = []
    for q in survey.iter_questions():
        if q.type in CHOICE_TYPES:
            text = localize(q.text, lang)
            for o in q.options:
                found.append((f"{q.id}:{o.value}", f"{text}: {localize(o.label, lang)}"))
            if q.other:
                found.append((f"{q.id}:{OTHER_VALUE}", f"{text}: {_('Other')}"))
    return found


def dashboard(session: Session, round_: Round, lang: str, filters: Filters) -> Dashboard:
    """Everything the dashboard of `round_` shows in `lang`, for the responses `filters` pass.

    The comparison with the previous revision is always of all responses: the earlier round
    cannot be filtered the same way (its questions may differ).
    """
    survey = round_survey(round_)
    responses = matching_responses(round_, filters)
    summary = summarise(session, round_, lang, responses=responses)
    comparison = compare_rounds(session, round_, summary if responses is None else None)
    return Dashboard(
        survey=survey,
        lang=lang,
        filters=filters,
        figures=round_figures(session, [round_.id]).get(round_.id) or Figures(),
        summary=summary,
        questions=question_views(survey, summary, lang),
        texts=free_texts(session, round_, survey, lang, responses),
        comparison=comparison,
        choices=filter_choices(session, round_),
        answer_choices=answer_choices(survey, lang),
        question_texts={q.id: localize(q.text, lang) for q in survey.iter_questions()},
    )
