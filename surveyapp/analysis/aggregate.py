"""Per-question and per-chapter figures of a round, aggregated in chunks (bounded memory).

Rules: `n` counts answers with a value; "not applicable" (a stored NULL) and "no answer"
(submitted responses minus answered minus not applicable) are counted apart and are not
part of `n`, the mean or any share. A share is count / n; for a multiple choice it is the
share of the question's respondents who chose the option. The standard deviation is the
sample one (ddof=1). A matrix is reported per row.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the stack
from sqlalchemy import Text, and_, case, cast, func, literal_column, or_, select
from sqlalchemy.orm import Session

from ..definitions import Question, Survey, localize
from ..definitions.question_types import AnswerShape
from ..definitions.schema import OTHER_VALUE
from ..models import Answer, Response, Round
from ..services.rounds import round_survey
from .tidy import ResponseIds, explode, submitted_count

KEYS = ["question_id", "row", "value", "is_na"]
TEXT_VALUE = ""  # free text is counted, never grouped by its words


@dataclass(frozen=True)
class ValueCount:
    value: Any
    label: str
    count: int
    share: float | None


@dataclass
class QuestionStats:
    """Figures of one question (or of one matrix row, `row` set)."""

    question_id: str
    type: str
    row: str = ""
    row_label: str = ""
    n: int = 0
    not_applicable: int = 0
    no_answer: int = 0
    mean: float | None = None
    median: float | None = None
    sd: float | None = None
    counts: list[ValueCount] = field(default_factory=list)


@dataclass(frozen=True)
class ChapterScore:
    chapter: str
    mean: float | None
    n: int


@dataclass
class RoundSummary:
    submitted: int
    questions: list[QuestionStats]
    chapters: list[ChapterScore]
    # question_id (`qid.other` too) -> (answer rows, rows with a value), as answer_totals.
    totals: dict[str, tuple[int, int]] = field(default_factory=dict)


def value_counts(
    session: Session, round_id: int, survey: Survey, *, responses: ResponseIds | None = None
) -> pd.DataFrame:
    """Counts of each (question_id, row, value, is_na).

    The database counts each distinct stored answer (free text as one value: it is counted,
    never grouped by its words); only those few rows are decoded and exploded here, so a
    big round is never read answer by answer.
    """
    return counts_and_totals(session, round_id, survey, responses=responses)[0]


def counts_and_totals(
    session: Session, round_id: int, survey: Survey, *, responses: ResponseIds | None = None
) -> tuple[pd.DataFrame, dict[str, tuple[int, int]]]:
    """value_counts and answer_totals from one pass over the round's answers."""
    counted: dict[tuple[str, str, Any, bool], int] = {}
    totals: dict[str, tuple[int, int]] = {}
    for qid, raw, count in session.execute(_distinct_answers(round_id, survey, responses)):
        answered, valued = totals.get(qid, (0, 0))
        totals[qid] = (answered + int(count), valued + (int(count) if raw is not None else 0))
        value = None if raw is None else json.loads(raw)
        for _rid, _qid, row, cell, is_na in explode(0, qid, value):
            key = (qid, row, _hashable(cell), is_na)
            counted[key] = counted.get(key, 0) + int(count)
    rows = [(*key, count) for key, count in counted.items()]
    return pd.DataFrame.from_records(rows, columns=[*KEYS, "count"]), totals


def _distinct_answers(round_id: int, survey: Survey, responses: ResponseIds | None) -> Any:
    """(question_id, answer as JSON text, how many) of the round's submitted responses."""
    text_ids = [q.id for q in survey.iter_questions() if q.kind.is_free_text]
    # Text questions and "other" texts (`qid.other`) count as one value, whatever was typed.
    is_text = or_(Answer.question_id.in_(text_ids), Answer.question_id.contains("."))
    raw = case(
        (and_(is_text, Answer.value.is_not(None)), literal_column(f"'{json.dumps(TEXT_VALUE)}'")),
        else_=cast(Answer.value, Text),
    )
    answers = (
        select(Answer.question_id.label("question_id"), raw.label("raw"))
        .join(Response, Response.id == Answer.response_id)
        .where(Response.round_id == round_id, Response.status == "submitted")
    )
    if responses is not None:
        answers = answers.where(Response.id.in_(responses))
    found = answers.subquery()  # grouped by its labels: PostgreSQL cannot match bound params
    return select(found.c.question_id, found.c.raw, func.count()).group_by(
        found.c.question_id, found.c.raw
    )


def _hashable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def answer_totals(
    session: Session, round_id: int, *, responses: ResponseIds | None = None
) -> dict[str, tuple[int, int]]:
    """question_id → (answer rows, rows with a value) over submitted responses."""
    query = (
        select(Answer.question_id, func.count(), func.count(Answer.value))
        .join(Response, Response.id == Answer.response_id)
        .where(Response.round_id == round_id, Response.status == "submitted")
        .group_by(Answer.question_id)
    )
    if responses is not None:
        query = query.where(Response.id.in_(responses))
    return {qid: (int(rows), int(values)) for qid, rows, values in session.execute(query)}


def weighted_stats(values: list[float], counts: list[int]) -> tuple[float, float, float | None]:
    """Mean, median and sample standard deviation of values repeated `counts` times."""
    total = sum(counts)
    mean = sum(v * c for v, c in zip(values, counts, strict=True)) / total
    ordered = sorted(zip(values, counts, strict=True))
    median = (_nth(ordered, (total - 1) // 2) + _nth(ordered, total // 2)) / 2
    if total < 2:
        return mean, median, None
    squares = sum(c * (v - mean) ** 2 for v, c in ordered)
    return mean, median, math.sqrt(squares / (total - 1))


def _nth(ordered: list[tuple[float, int]], index: int) -> float:
    seen = 0
    for value, count in ordered:
        seen += count
        if index < seen:
            return value
    raise IndexError(index)


def _points(q: Question, lang: str) -> list[tuple[Any, str]]:
    """The values a question can take, with labels, in the definition's order."""
    if q.kind.is_choice:
        points = [(o.value, localize(o.label, lang)) for o in q.options]
        return points + ([(OTHER_VALUE, "Other")] if q.other else [])
    if q.scale is not None:
        return [(p.value, localize(p.label, lang)) for p in q.scale.points]
    if q.kind.points == "range" and q.min is not None and q.max is not None and q.max - q.min <= 20:
        return [(v, str(v)) for v in range(int(q.min), int(q.max) + 1)]
    return []


def _key(value: Any) -> str:
    """8 and 8.0 are the same answer."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _stats(
    q: Question, part: pd.DataFrame, lang: str, n: int, by_value: bool = True
) -> QuestionStats:
    """Figures from the value-count rows of one question (or matrix row)."""
    stats = QuestionStats(q.id, q.type, n=n)
    answered = part[~part["is_na"].astype(bool)]
    stats.not_applicable = int(part.loc[part["is_na"].astype(bool), "count"].sum())
    key = "row" if q.kind.shape == "many" else "value"  # tidy.explode puts options in `row`
    found: dict[str, int] = {}
    for k, c in zip(answered[key], answered["count"], strict=True):
        found[_key(k)] = found.get(_key(k), 0) + int(c)
    if by_value:
        stats.counts = [
            ValueCount(v, label, found.get(_key(v), 0), found.get(_key(v), 0) / n if n else None)
            for v, label in _points(q, lang)
        ]
    if q.kind.is_numeric and len(answered):
        values = [float(v) for v in answered["value"]]
        counts = [int(c) for c in answered["count"]]
        stats.mean, stats.median, stats.sd = weighted_stats(values, counts)
    return stats


def question_stats(
    survey: Survey,
    counts: pd.DataFrame,
    totals: dict[str, tuple[int, int]],
    submitted: int,
    lang: str = "en",
) -> list[QuestionStats]:
    """Figures of every answerable question, in the survey's order; matrices per row."""
    result: list[QuestionStats] = []
    # One pass over the counts: a mask per question cost a scan of all of them each.
    parts = dict(tuple(counts.groupby("question_id", sort=False))) if len(counts) else {}
    for q in survey.iter_questions():
        part = parts.get(q.id, counts.iloc[0:0])
        rows, values = totals.get(q.id, (0, 0))
        result.extend(SUMMARISERS[q.kind.shape](q, part, Answered(submitted, rows, values), lang))
    return result


@dataclass(frozen=True)
class Answered:
    """How many submitted responses there are, and of one question's answer rows and values."""

    submitted: int
    rows: int
    values: int


def _no_stats(
    q: Question, part: pd.DataFrame, answered: Answered, lang: str
) -> list[QuestionStats]:
    return []  # no answer, no figures


def _whole_stats(
    q: Question, part: pd.DataFrame, answered: Answered, lang: str
) -> list[QuestionStats]:
    stats = _stats(q, part, lang, n=answered.values)
    stats.not_applicable = answered.rows - answered.values
    stats.no_answer = answered.submitted - answered.rows
    return [stats]


def _row_stats(
    q: Question, part: pd.DataFrame, answered: Answered, lang: str
) -> list[QuestionStats]:
    """A matrix's figures per row."""
    result: list[QuestionStats] = []
    for row in q.rows:
        cells = part[part["row"] == str(row.value)]
        n = int(cells.loc[~cells["is_na"].astype(bool), "count"].sum())
        stats = _stats(q, cells, lang, n=n)
        stats.row, stats.row_label = str(row.value), localize(row.label, lang)
        stats.no_answer = answered.submitted - n - stats.not_applicable
        result.append(stats)
    return result


Summariser = Callable[[Question, pd.DataFrame, Answered, str], list[QuestionStats]]
# A question's figures by the shape of its answers (question_types.AnswerShape).
SUMMARISERS: dict[AnswerShape, Summariser] = {
    "none": _no_stats,
    "one": _whole_stats,
    "many": _whole_stats,
    "rows": _row_stats,
}


def chapter_scores(survey: Survey, counts: pd.DataFrame) -> list[ChapterScore]:
    """Per chapter, the raw mean of every likert and matrix answer of its sections.

    Each answer (each matrix row) counts once; scales are not normalised, so chapters
    are comparable only when their questions share a scale. 0-10 ratings and numbers are
    left out, and "not applicable" is not an answer.
    """
    result: list[ChapterScore] = []
    for section in survey.sections:
        if not section.chapter or any(s.chapter == section.chapter for s in result):
            continue
        ids = {
            q.id
            for s in survey.sections
            if s.chapter == section.chapter
            for q in s.questions
            if q.kind.points == "scale"
        }
        part = counts[counts["question_id"].isin(ids) & ~counts["is_na"].astype(bool)]
        n = int(part["count"].sum())
        total = float((part["value"].astype(float) * part["count"]).sum()) if n else 0.0
        result.append(ChapterScore(section.chapter, total / n if n else None, n))
    return result


def summarise(
    session: Session, round_: Round, lang: str = "en", *, responses: ResponseIds | None = None
) -> RoundSummary:
    """Every question's figures and every chapter's score of a round; of only the responses
    among `responses` (a select of response ids, see filters.py) if given."""
    survey = round_survey(round_)
    counts, totals = counts_and_totals(session, round_.id, survey, responses=responses)
    submitted = submitted_count(session, round_.id, responses=responses)
    return RoundSummary(
        submitted,
        question_stats(survey, counts, totals, submitted, lang),
        chapter_scores(survey, counts),
        totals,
    )
