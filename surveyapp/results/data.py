"""What the results dashboard shows, shaped for its template: figures, bars, texts, changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..analysis import anonymity
from ..analysis.aggregate import QuestionStats, RoundSummary, summarise
from ..analysis.anonymity import Count, FewerThan, Withheld
from ..analysis.compare import Comparison, compare_rounds
from ..analysis.filters import Filters, filter_choices, matching_responses
from ..analysis.tidy import ResponseIds
from ..definitions import Manual, Question, Survey, localize
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
    count: Count
    share: float | None
    y: int
    width: float  # percent of the chart's width


def bar_text(label: str, bar: Bar) -> str:
    """The bar's line: "label: count (share)", or "label: fewer than N" when hidden."""
    if isinstance(bar.count, FewerThan):
        return _("%(label)s: fewer than %(limit)d", label=label, limit=bar.count.limit)
    if isinstance(bar.count, Withheld):
        return _("%(label)s: not shown", label=label)
    return _(
        "%(label)s: %(count)d (%(share)s)", label=label, count=bar.count, share=percent(bar.share)
    )


@dataclass
class QuestionView:
    """One question (or matrix row) with its figures and chart bars, as the page shows them:
    with counts below the threshold hidden in a filtered anonymous round."""

    key: str
    text: str
    stats: QuestionStats
    bars: list[Bar]
    n: Count
    not_applicable: Count
    no_answer: Count

    @property
    def is_partly_hidden(self) -> bool:
        """A count is hidden: the mean and median, worked out from all, would tell it."""
        counts = [self.n, *(b.count for b in self.bars)]
        return any(anonymity.is_hidden(count) for count in counts)

    @property
    def mean(self) -> float | None:
        return None if self.is_partly_hidden else self.stats.mean

    @property
    def median(self) -> float | None:
        return None if self.is_partly_hidden else self.stats.median

    @property
    def height(self) -> int:
        return ROW_HEIGHT * len(self.bars)

    @property
    def chart_label(self) -> str:
        """The chart's text alternative: the question and every bar's figures."""
        return f"{self.text}. " + "; ".join(bar_text(b.label, b) for b in self.bars)


@dataclass(frozen=True)
class FreeText:
    question: str
    answer: str
    language: str  # empty in anonymous rounds
    group: str  # empty in anonymous rounds


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
    chapter_titles: dict[str, str] = field(default_factory=dict)  # id -> title in `lang`
    refused: bool = False  # the asked filters would single out too few responses


def percent(share: float | None) -> str:
    return f"{round(100 * share)} %" if share is not None else "–"


def _bars(q: Question, stats: QuestionStats, limit: int) -> list[Bar]:
    bars = []
    shown = anonymity.shown_counts([c.count for c in stats.counts], limit)
    for i, (c, count) in enumerate(zip(stats.counts, shown, strict=True)):
        label = _("Other") if q.other and c.value == OTHER_VALUE else c.label
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        share = None if anonymity.is_hidden(count) else c.share
        bars.append(Bar(label, short, count, share, i * ROW_HEIGHT, 100 * (share or 0.0)))
    return bars


def question_views(
    survey: Survey, summary: RoundSummary, lang: str, limit: int = 0
) -> list[QuestionView]:
    """The summary's questions in survey order, each with its text in `lang` and its bars;
    counts from 1 to `limit` - 1 hidden (0: none hidden)."""
    questions = {q.id: q for q in survey.iter_questions()}
    views = []
    for s in summary.questions:
        q = questions[s.question_id]
        text = localize(q.text, lang) + (f" — {s.row_label}" if s.row else "")
        key = f"{s.question_id}.{s.row}" if s.row else s.question_id
        counts = [anonymity.shown(n, limit) for n in (s.n, s.not_applicable, s.no_answer)]
        views.append(QuestionView(key, text, s, _bars(q, s, limit), *counts))
    return views


def _free_text_questions(survey: Survey, lang: str) -> dict[str, tuple[str, str]]:
    """Chapter and text (in `lang`) of every free-text answer's id, in survey order."""
    found: dict[str, tuple[str, str]] = {}
    for section in survey.sections:
        for q in section.questions:
            ids = [q.id] if q.kind.is_free_text else [f"{q.id}.other"] if q.other else []
            for qid in ids:
                found[qid] = (section.chapter or "", localize(q.text, lang))
    return found


def free_texts(
    session: Session, round_: Round, survey: Survey, lang: str, responses: ResponseIds | None
) -> dict[str, list[FreeText]]:
    """Every free-text answer (text questions and "other" texts), grouped by chapter.

    The group is read only when the round is not anonymous; nothing else about a person is.
    An anonymous round's texts are all shown, never beside a language or group nor under a
    filter, sorted by question and text: their order tells nothing of who wrote them.
    """
    questions = _free_text_questions(survey, lang)
    if round_.is_anonymous:
        return _anonymous_free_texts(session, round_, questions)
    columns: list[Any] = [Answer.question_id, Answer.value, Response.language, Participant.group]
    query = (
        _free_text_query(round_, list(questions), columns)
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Participant, Participant.id == Invitation.participant_id)
        .order_by(Response.id, Answer.question_id)
    )
    if responses is not None:
        query = query.where(Response.id.in_(responses))
    grouped: dict[str, list[FreeText]] = {}
    for qid, value, language, group in session.execute(query):
        chapter, text = questions[qid]
        grouped.setdefault(chapter, []).append(
            FreeText(text, str(value), language or "", group or "")
        )
    return grouped


def _free_text_query(round_: Round, question_ids: list[str], columns: list[Any]) -> Any:
    return (
        select(*columns)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.round_id == round_.id, Response.status == "submitted")
        .where(Answer.question_id.in_(question_ids), Answer.value.is_not(None))
    )


def _anonymous_free_texts(
    session: Session, round_: Round, questions: dict[str, tuple[str, str]]
) -> dict[str, list[FreeText]]:
    query = _free_text_query(round_, list(questions), [Answer.question_id, Answer.value])
    order = {qid: n for n, qid in enumerate(questions)}
    found = sorted(
        ((qid, str(value)) for qid, value in session.execute(query)),
        key=lambda item: (order[item[0]], item[1].casefold(), item[1]),
    )
    grouped: dict[str, list[FreeText]] = {}
    for qid, answer in found:
        chapter, text = questions[qid]
        grouped.setdefault(chapter, []).append(FreeText(text, answer, "", ""))
    return grouped


def answer_choices(survey: Survey, lang: str) -> list[tuple[str, str]]:
    """(`question_id:value`, "question: option") for every single- and multiple-choice answer."""
    found = []
    for q in survey.iter_questions():
        if q.kind.is_choice:
            text = localize(q.text, lang)
            for o in q.options:
                found.append((f"{q.id}:{o.value}", f"{text}: {localize(o.label, lang)}"))
            if q.other:
                found.append((f"{q.id}:{OTHER_VALUE}", f"{text}: {_('Other')}"))
    return found


def dashboard(
    session: Session,
    round_: Round,
    lang: str,
    filters: Filters,
    limit: int,
    manual: Manual | None = None,
) -> Dashboard:
    """Everything the dashboard of `round_` shows in `lang`, for the responses `filters` pass.

    In an anonymous round, filters that would single out fewer than `limit` responses are
    refused (all responses are shown), and a filtered view hides counts below `limit`. The
    comparison with the previous revision is always of all responses: the earlier round
    cannot be filtered the same way (its questions may differ).
    """
    survey = round_survey(round_)
    checked = anonymity.check_filters(session, round_, filters, limit)
    filters = checked.filters
    responses = matching_responses(round_, filters)
    summary = summarise(session, round_, lang, responses=responses)
    book = manual or Manual()
    comparison = compare_rounds(session, round_, summary if responses is None else None, book)
    hide_below = limit if round_.is_anonymous and responses is not None else 0
    return Dashboard(
        survey=survey,
        lang=lang,
        filters=filters,
        figures=round_figures(session, [round_.id]).get(round_.id) or Figures(),
        summary=summary,
        questions=question_views(survey, summary, lang, hide_below),
        texts=_in_manual_order(free_texts(session, round_, survey, lang, responses), book, round_),
        comparison=comparison,
        choices=_choices(session, round_, limit),
        answer_choices=answer_choices(survey, lang),
        question_texts={q.id: localize(q.text, lang) for q in survey.iter_questions()},
        chapter_titles=book.chapter_titles(lang, round_.revision),
        refused=checked.refused,
    )


def _in_manual_order(
    texts: dict[str, list[FreeText]], manual: Manual, round_: Round
) -> dict[str, list[FreeText]]:
    """The free texts by chapter in the manual's order; those of no chapter ("") last."""
    order = manual.chapter_order((c for c in texts if c), round_.revision)
    return {c: texts[c] for c in [*order, *([""] if "" in texts else [])]}


def _choices(session: Session, round_: Round, limit: int) -> dict[str, list[str]]:
    """The filters' values; an anonymous round offers only languages a filter may select."""
    choices = filter_choices(session, round_)
    choices["language"] = anonymity.usable_languages(session, round_, choices["language"], limit)
    return choices
