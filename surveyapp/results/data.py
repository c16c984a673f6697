"""What the results dashboard shows, shaped for its template: figures, bars, texts, changes."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from flask_babel import format_decimal, format_percent
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..analysis import anonymity
from ..analysis.aggregate import QuestionStats, RoundSummary, summarise
from ..analysis.anonymity import Count, FewerThan, Withheld
from ..analysis.compare import Change, Comparison, compare_rounds
from ..analysis.filters import Filters, filter_choices, matching_responses
from ..definitions import Manual, Question, Survey, localize
from ..definitions.manual import revision_key
from ..definitions.schema import OTHER_VALUE
from ..i18n import _
from ..models import Round
from ..services.monitor import Figures, round_figures
from ..services.rounds import round_survey
from .free_texts import TEXTS_SHOWN as TEXTS_SHOWN  # the templates read chart.TEXTS_SHOWN
from .free_texts import TextQuestion, free_texts

# The chart is drawn in pixels and percentages, never scaled: per value its text
# ("label: count (share)") in lines of at most LABEL_CHARS characters (never cut: wrapped,
# so it fits a 320 px screen) and below it a bar as wide as the share.
ROW_HEIGHT, BAR_HEIGHT, LINE_HEIGHT = 40, 12, 18
LABEL_CHARS = 32


@dataclass(frozen=True)
class Bar:
    label: str
    lines: tuple[str, ...]  # bar_text wrapped
    count: Count
    share: float | None
    y: int
    width: float  # percent of the chart's width

    @property
    def line_ys(self) -> list[int]:
        """The baseline of each line of the bar's text."""
        return [self.y + 16 + LINE_HEIGHT * i for i in range(len(self.lines))]

    @property
    def bar_y(self) -> int:
        return self.y + 22 + LINE_HEIGHT * (len(self.lines) - 1)

    @property
    def height(self) -> int:
        return ROW_HEIGHT + LINE_HEIGHT * (len(self.lines) - 1)


def wrap(text: str, width: int = LABEL_CHARS) -> tuple[str, ...]:
    """`text` in lines of at most `width` characters, broken between words where it can."""
    return tuple(textwrap.wrap(text, width, break_on_hyphens=False)) or ("",)


def bar_text(label: str, bar: Bar) -> str:
    """The bar's line: "label: count (share)", or "label: fewer than N" when hidden."""
    if isinstance(bar.count, FewerThan):
        return _("%(label)s: fewer than %(limit)d", label=label, limit=bar.count.limit)
    if isinstance(bar.count, Withheld):
        return _("%(label)s: not shown", label=label)
    return _(
        "%(label)s: %(count)s (%(share)s)",
        label=label,
        count=format_decimal(bar.count),
        share=percent(bar.share),
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
        return sum(b.height for b in self.bars)

    @property
    def chart_label(self) -> str:
        """The chart's text alternative: the question and every bar's figures."""
        return f"{self.text}. " + "; ".join(bar_text(b.label, b) for b in self.bars)


@dataclass(frozen=True)
class ScaleMean:
    """The mean of a chapter's answers on one scale."""

    label: str
    mean: float | None
    n: Count


@dataclass
class TopicView:
    id: str
    title: str
    questions: list[QuestionView] = field(default_factory=list)


@dataclass
class ChapterView:
    """A chapter of the manual ("": the questions of no chapter) with its summary, its
    questions of no topic, then its topics in the manual's order."""

    id: str
    title: str
    answers: Count = 0
    means: list[ScaleMean] = field(default_factory=list)
    change: Change | None = None
    questions: list[QuestionView] = field(default_factory=list)
    topics: list[TopicView] = field(default_factory=list)


@dataclass
class Dashboard:
    survey: Survey
    lang: str
    filters: Filters
    figures: Figures
    summary: RoundSummary
    questions: list[QuestionView]
    texts: dict[str, list[TextQuestion]]
    comparison: Comparison | None
    choices: dict[str, list[str]]
    answer_choices: list[tuple[str, str]] = field(default_factory=list)
    question_texts: dict[str, str] = field(default_factory=dict)
    chapter_titles: dict[str, str] = field(default_factory=dict)  # id -> title in `lang`
    refused: bool = False  # the asked filters would single out too few responses
    chapters: list[ChapterView] = field(default_factory=list)
    earlier_rounds: list[Round] = field(default_factory=list)  # to compare with, newest first
    compared_round_id: int | None = None


def number(count: int) -> str:
    """A count as the locale writes it ("10 000" in Finnish, "10,000" in English)."""
    return str(format_decimal(count))


def percent(share: float | None) -> str:
    """A share as the locale writes a percentage ("67 %" in Finnish, "67%" in English)."""
    return str(format_percent(share)) if share is not None else "–"


def decimal(value: float | None, pattern: str = "0.00") -> str:
    """A mean (or change: pattern "+0.00;-0.00") as the locale writes it ("4,44" in Finnish)."""
    return str(format_decimal(value, format=pattern)) if value is not None else "–"


def _bars(q: Question, stats: QuestionStats, limit: int) -> list[Bar]:
    bars: list[Bar] = []
    y = 0
    shown = anonymity.shown_counts([c.count for c in stats.counts], limit)
    for c, count in zip(stats.counts, shown, strict=True):
        label = _("Other") if q.other and c.value == OTHER_VALUE else c.label
        share = None if anonymity.is_hidden(count) else c.share
        bar = Bar(label, (), count, share, y, 100 * (share or 0.0))
        bar = Bar(label, wrap(bar_text(label, bar)), count, share, y, bar.width)
        y += bar.height
        bars.append(bar)
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


def earlier_rounds(session: Session, round_: Round) -> list[Round]:
    """The rounds of the same survey of an earlier manual revision, newest first."""
    found = session.scalars(select(Round).where(Round.survey_id == round_.survey_id))
    current = revision_key(round_.revision)
    earlier = [r for r in found if revision_key(r.revision) < current]
    return sorted(earlier, key=lambda r: (revision_key(r.revision), r.id), reverse=True)


def dashboard(
    session: Session,
    round_: Round,
    lang: str,
    filters: Filters,
    limit: int,
    manual: Manual | None = None,
    *,
    ui_lang: str | None = None,
    compare_with: int | None = None,
) -> Dashboard:
    """Everything the dashboard of `round_` shows, survey texts in `lang` and chapter titles
    in `ui_lang` (the interface's; `lang` if not given), for the responses `filters` pass.

    In an anonymous round, filters that would single out fewer than `limit` responses are
    refused (all responses are shown), and a filtered view hides counts below `limit`. The
    comparison is with the round `compare_with` of an earlier revision (by default the
    previous revision's), always of all responses: the earlier round cannot be filtered the
    same way (its questions may differ).
    """
    survey = round_survey(round_)
    checked = anonymity.check_filters(session, round_, filters, limit)
    filters = checked.filters
    responses = matching_responses(round_, filters)
    summary = summarise(session, round_, lang, responses=responses)
    book = manual or Manual()
    earlier = earlier_rounds(session, round_)
    chosen = next((r for r in earlier if r.id == compare_with), earlier[0] if earlier else None)
    comparison = (
        compare_rounds(session, round_, summary if responses is None else None, book, chosen)
        if chosen is not None
        else None
    )
    hide_below = limit if round_.is_anonymous and responses is not None else 0
    views = question_views(survey, summary, lang, hide_below)
    answered = {qid: values for qid, (_rows, values) in summary.totals.items()}
    titles_lang = ui_lang or lang
    return Dashboard(
        survey=survey,
        lang=lang,
        filters=filters,
        figures=round_figures(session, [round_.id]).get(round_.id) or Figures(),
        summary=summary,
        questions=views,
        texts=_in_manual_order(
            free_texts(session, round_, survey, lang, responses, totals=answered), book, round_
        ),
        comparison=comparison,
        choices=_choices(session, round_, limit),
        answer_choices=answer_choices(survey, lang),
        question_texts={q.id: localize(q.text, lang) for q in survey.iter_questions()},
        chapter_titles=book.chapter_titles(titles_lang, round_.revision),
        refused=checked.refused,
        chapters=chapters(survey, views, book, round_, (titles_lang, lang), comparison, hide_below),
        earlier_rounds=earlier,
        compared_round_id=chosen.id if chosen is not None else None,
    )


def chapters(
    survey: Survey,
    views: list[QuestionView],
    manual: Manual,
    round_: Round,
    langs: tuple[str, str],
    comparison: Comparison | None = None,
    hide_below: int = 0,
) -> list[ChapterView]:
    """The questions by chapter in the manual's order (those of no chapter last), each
    chapter's questions of no topic first, then its topics in the manual's order; titles
    in `langs[0]`, scale labels (survey text) in `langs[1]`."""
    lang, text_lang = langs
    placed: dict[str, tuple[str, Question]] = {}
    for section in survey.sections:
        for q in section.questions:
            placed[q.id] = (section.chapter or "", q)
    found: dict[str, ChapterView] = {}
    for view in views:
        chapter_id, q = placed[view.stats.question_id]
        chapter = found.setdefault(chapter_id, ChapterView(chapter_id, ""))
        if q.topic:
            topic = next((t for t in chapter.topics if t.id == q.topic), None)
            if topic is None:
                topic = TopicView(q.topic, q.topic)
                chapter.topics.append(topic)
            topic.questions.append(view)
        else:
            chapter.questions.append(view)
    revision = manual.revision(round_.revision)
    changes = {c.key: c for c in comparison.chapters} if comparison is not None else {}
    order = manual.chapter_order((c for c in found if c), round_.revision)
    result = [found[c] for c in [*order, *([""] if "" in found else [])]]
    for chapter in result:
        if chapter.id:
            chapter.title = manual.chapter_title(chapter.id, lang, round_.revision)
        in_manual = revision.chapter(chapter.id)
        if in_manual is not None:
            for topic in chapter.topics:
                known = in_manual.topic(topic.id)
                topic.title = localize(known.title, lang) if known else topic.id
            place = {t.id: t.order for t in in_manual.topics}
            chapter.topics.sort(key=lambda t: place.get(t.id, len(place) + 1))
        _summarise_chapter(chapter, {q.id: q for _c, q in placed.values()}, text_lang, hide_below)
        chapter.change = changes.get(chapter.id)
    return result


def _summarise_chapter(
    chapter: ChapterView, questions: dict[str, Question], lang: str, hide_below: int
) -> None:
    """The chapter's answers (every question's, matrix rows each) and its mean per scale."""
    views = [*chapter.questions, *(v for t in chapter.topics for v in t.questions)]
    chapter.answers = anonymity.shown(sum(v.stats.n for v in views), hide_below)
    by_scale: dict[str, tuple[str, float, int]] = {}
    for view in views:
        q = questions[view.stats.question_id]
        if q.scale is None or q.kind.points != "scale" or view.mean is None or not view.stats.n:
            continue
        points = q.scale.points
        label = (
            f"{points[0].value}–{points[-1].value}: "
            f"{localize(points[0].label, lang)} – {localize(points[-1].label, lang)}"
        )
        _label, total, n = by_scale.get(q.scale.id, (label, 0.0, 0))
        by_scale[q.scale.id] = (label, total + view.mean * view.stats.n, n + view.stats.n)
    chapter.means = [
        ScaleMean(label, total / n, anonymity.shown(n, hide_below))
        for label, total, n in by_scale.values()
    ]


def _in_manual_order(
    texts: dict[str, list[TextQuestion]], manual: Manual, round_: Round
) -> dict[str, list[TextQuestion]]:
    """The free texts by chapter in the manual's order; those of no chapter ("") last."""
    order = manual.chapter_order((c for c in texts if c), round_.revision)
    return {c: texts[c] for c in [*order, *([""] if "" in texts else [])]}


def _choices(session: Session, round_: Round, limit: int) -> dict[str, list[str]]:
    """The filters' values; an anonymous round offers only languages a filter may select."""
    choices = filter_choices(session, round_)
    choices["language"] = anonymity.usable_languages(session, round_, choices["language"], limit)
    return choices
