"""Suggested duplicates in triage: for each comment of a page, the round's most similar
comments of the same chapter and language (rapidfuzz).

Similarity is rapidfuzz's token sort ratio: the casefolded words without punctuation, in
alphabetical order, compared as strings (0-100), so a changed word order costs nothing
and a typo little. The words are sorted once per comment and compared with `fuzz.ratio`,
which is what `fuzz.token_sort_ratio` does on every call. A comment that only shares a few
words with a longer one (a subset) scores low, where `token_set_ratio` would give 100.

Cost: only id, question, answer text, language and duplicate link of the page's chapters'
comments are loaded. Measured for a page of 50 rows against 5,000 comments of one chapter
(5-30 words each): about 40 ms of comparing (250,000 ratios), plus the load; the
comparison grows with page size times the comments of the page's chapters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process, utils
from sqlalchemy import null, select
from sqlalchemy.orm import Session

from ..models import Answer, FeedbackItem, Response, Round
from .feedback import FeedbackRow, same_answer, text_questions
from .rounds import round_survey

THRESHOLD = 80  # of 100: the same sentence with a typo and its words moved scores above 90
LIMIT = 3


@dataclass(frozen=True)
class Similar:
    """A comment like the row's: its item id, text and similarity (0-100)."""

    id: int
    answer: str
    score: int


def similar_comments(
    session: Session,
    round_: Round,
    rows: Sequence[FeedbackRow],
    *,
    limit: int = LIMIT,
    threshold: int = THRESHOLD,
) -> dict[int, list[Similar]]:
    """For each row (by item id) that is not a duplicate already, the `limit` comments of
    the round most like it, most alike first, scoring at least `threshold`: of the same
    chapter and, in named rounds, the same response language (anonymous rounds have none:
    within the chapter). Comments that are duplicates themselves are never suggested:
    their original is. Rows without a suggestion are left out."""
    wanted = [row for row in rows if row.status != "duplicate" and row.answer.strip()]
    if not wanted:
        return {}
    pools, texts = _pools(session, round_, {row.chapter for row in wanted})
    found: dict[int, list[Similar]] = {}
    for row in wanted:
        pool = pools.get((row.chapter, row.language), {})
        hits = process.extract(
            _words(row.answer),
            pool,
            scorer=fuzz.ratio,
            processor=None,
            limit=limit + 1,
            score_cutoff=threshold,
        )
        similar = [Similar(key, texts[key], round(score)) for _, score, key in hits]
        similar = [hit for hit in similar if hit.id != row.id]
        if similar:
            found[row.id] = similar[:limit]
    return found


def _pools(
    session: Session, round_: Round, chapters: set[str | None]
) -> tuple[dict[tuple[str | None, str | None], dict[int, str]], dict[int, str]]:
    """The round's comments of `chapters` that are not duplicates, as sorted words by item
    id, by chapter and language; and their texts."""
    questions = {
        qid: section.chapter
        for qid, (section, _question) in text_questions(round_survey(round_)).items()
        if section.chapter in chapters
    }
    language: Any = null() if round_.is_anonymous else Response.language
    query = (
        select(FeedbackItem.id, FeedbackItem.question_id, Answer.value, language)
        .join(Response, Response.id == FeedbackItem.response_id)
        .join(Answer, same_answer())
        .where(
            FeedbackItem.round_id == round_.id,
            FeedbackItem.question_id.in_(list(questions)),
            FeedbackItem.duplicate_of_id.is_(None),
        )
    )
    pools: dict[tuple[str | None, str | None], dict[int, str]] = {}
    texts: dict[int, str] = {}
    for item_id, question_id, value, code in session.execute(query):
        if isinstance(value, str) and value.strip():
            pools.setdefault((questions[question_id], code), {})[item_id] = _words(value)
            texts[item_id] = value
    return pools, texts


def _words(text: str) -> str:
    """The text's words, casefolded, without punctuation, in alphabetical order."""
    return " ".join(sorted(utils.default_process(text.casefold()).split()))
