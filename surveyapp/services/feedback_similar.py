"""Suggested duplicates in triage: for each comment of a page, the round's most similar
comments of the same chapter and language (rapidfuzz).

Similarity is rapidfuzz's token sort ratio: the casefolded words without punctuation, in
alphabetical order, compared as strings (0-100), so a changed word order costs nothing
and a typo little. The words are sorted once per comment and compared with `fuzz.ratio`,
which is what `fuzz.token_sort_ratio` does on every call. A comment that only shares a few
words with a longer one (a subset) scores low, where `token_set_ratio` would give 100.

Cost: only id, question, answer text, language and duplicate link of the page's chapters'
comments are loaded, and of each chapter only its POOL_MAX latest comments: so a page
costs the same in a round of 20,000 comments as in one of 2,000 (50 rows against 1,000
comments: about 50,000 ratios, under 10 ms). A validation group leaves a few hundred
comments per revision, so in practice every comment of the chapter is compared.
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
POOL_MAX = 1000  # comments per chapter compared with a page's rows: the latest ones


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
    pools: dict[tuple[str | None, str | None], dict[int, str]] = {}
    texts: dict[int, str] = {}
    for chapter in chapters:
        in_chapter = [qid for qid, found in questions.items() if found == chapter]
        for item_id, question_id, value, code in session.execute(_latest(round_, in_chapter)):
            if isinstance(value, str) and value.strip():
                pools.setdefault((questions[question_id], code), {})[item_id] = _words(value)
                texts[item_id] = value
    return pools, texts


def _latest(round_: Round, question_ids: list[str]) -> Any:
    """The POOL_MAX latest comments of `question_ids` that are not duplicates."""
    language: Any = null() if round_.is_anonymous else Response.language
    return (
        select(FeedbackItem.id, FeedbackItem.question_id, Answer.value, language)
        .join(Response, Response.id == FeedbackItem.response_id)
        .join(Answer, same_answer())
        .where(
            FeedbackItem.round_id == round_.id,
            FeedbackItem.question_id.in_(question_ids),
            FeedbackItem.duplicate_of_id.is_(None),
        )
        .order_by(FeedbackItem.id.desc())
        .limit(POOL_MAX)
    )


def _words(text: str) -> str:
    """The text's words, casefolded, without punctuation, in alphabetical order."""
    return " ".join(sorted(utils.default_process(text.casefold()).split()))
