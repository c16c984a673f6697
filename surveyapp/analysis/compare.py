"""A round against the round of the previous manual revision of the same survey.

Questions are matched by id. A question whose English text, type, options, rows or
scale changed is reported as reworded and never compared as if it were the same. Chapters
are matched through the manual: a chapter is compared with the chapters of the earlier
revision it continues (renamed, merged or split; see definitions/manual.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ..definitions import QUESTION_KINDS, Manual, Question, Survey
from ..models import Round
from ..services.rounds import previous_revision_round, round_survey
from .aggregate import ChapterScore, RoundSummary, summarise


def previous_round(session: Session, round_: Round) -> Round | None:
    """The round of the same survey with the greatest revision below this one's."""
    return previous_revision_round(session, round_.survey_id, round_.revision)


def _signature(q: Question) -> tuple[Any, ...]:
    """What must stay equal for a question to count as the same question."""

    def options(items: tuple[Any, ...]) -> tuple[tuple[str, str], ...]:
        return tuple((str(o.value), o.label.get("en", "")) for o in items)

    scale = options(q.scale.points) if q.scale else ()
    return (q.type, q.text.get("en", ""), options(q.options), q.other, options(q.rows), scale)


@dataclass
class DefinitionChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reworded: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)


def compare_definitions(old: Survey, new: Survey) -> DefinitionChanges:
    """Questions added, removed, reworded and unchanged (matched), by id, in survey order."""
    before = {q.id: q for q in old.iter_questions() if q.is_answerable}
    after = {q.id: q for q in new.iter_questions() if q.is_answerable}
    changes = DefinitionChanges(removed=[qid for qid in before if qid not in after])
    for qid, q in after.items():
        if qid not in before:
            changes.added.append(qid)
        elif _signature(before[qid]) != _signature(q):
            changes.reworded.append(qid)
        else:
            changes.matched.append(qid)
    return changes


@dataclass(frozen=True)
class Change:
    """A mean in this and the previous round; `key` is a question id (`qid.row` for a
    matrix row) or a chapter."""

    key: str
    mean: float | None
    previous: float | None
    # The chapters of the earlier revision compared with, when not just `key` itself.
    compared_with: tuple[str, ...] = ()

    @property
    def change(self) -> float | None:
        if self.mean is None or self.previous is None:
            return None
        return self.mean - self.previous


@dataclass
class Comparison:
    previous_round_id: int
    previous_revision: str
    definitions: DefinitionChanges
    questions: list[Change]
    chapters: list[Change]


def _means(summary: RoundSummary, ids: set[str]) -> dict[str, float | None]:
    return {
        (f"{s.question_id}.{s.row}" if s.row else s.question_id): s.mean
        for s in summary.questions
        if s.question_id in ids and QUESTION_KINDS[s.type].is_numeric
    }


def _pooled_mean(scores: list[ChapterScore]) -> float | None:
    """The mean of several chapters' answers together (a merged chapter's earlier mean)."""
    n = sum(s.n for s in scores if s.mean is not None)
    if not n:
        return None
    return sum(s.mean * s.n for s in scores if s.mean is not None) / n


def _chapter_change(
    score: ChapterScore, before: dict[str, ChapterScore], earlier: Callable[[str], set[str]]
) -> Change:
    ids = sorted(earlier(score.chapter) & set(before))
    previous = _pooled_mean([before[i] for i in ids])
    compared_with = tuple(ids) if ids != [score.chapter] else ()
    return Change(score.chapter, score.mean, previous, compared_with)


def compare_summaries(
    changes: DefinitionChanges,
    now: RoundSummary,
    before: RoundSummary,
    earlier: Callable[[str], set[str]] | None = None,
) -> tuple[list[Change], list[Change]]:
    """Change of mean per matched question and per chapter; `earlier(chapter)` gives the
    earlier round's chapters a chapter continues (by default, itself)."""
    ids = set(changes.matched)
    old = _means(before, ids)
    questions = [Change(k, v, old.get(k)) for k, v in _means(now, ids).items()]
    old_chapters = {c.chapter: c for c in before.chapters}
    same = earlier or (lambda chapter: {chapter})
    chapters = [_chapter_change(c, old_chapters, same) for c in now.chapters]
    return questions, chapters


def compare_rounds(
    session: Session,
    round_: Round,
    summary: RoundSummary | None = None,
    manual: Manual | None = None,
    previous: Round | None = None,
) -> Comparison | None:
    """The comparison with `previous` (a round of an earlier revision of the same survey;
    by default the previous revision's round), or None if there is none; chapters follow
    `manual`'s continuations between the two rounds' revisions, however many lie between."""
    previous = previous or previous_round(session, round_)
    if previous is None:
        return None
    changes = compare_definitions(round_survey(previous), round_survey(round_))
    now = summary or summarise(session, round_)
    book = manual or Manual()

    def earlier(chapter: str) -> set[str]:
        return book.earlier_ids(chapter, round_.revision, previous.revision)

    before = summarise(session, previous)
    questions, chapters = compare_summaries(changes, now, before, earlier)
    return Comparison(previous.id, previous.revision, changes, questions, chapters)
