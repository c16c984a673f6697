"""Tidy answers, per-question figures and chapter scores against hand-computed numbers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from analysis_dataset import Dataset, build, respond
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.analysis import tidy
from surveyapp.analysis.aggregate import QuestionStats, summarise, weighted_stats
from surveyapp.models import Round


def by_key(stats: list[QuestionStats]) -> dict[str, QuestionStats]:
    return {(f"{s.question_id}.{s.row}" if s.row else s.question_id): s for s in stats}


def test_tidy_has_one_row_per_value_of_submitted_responses(db: Session, data: Dataset) -> None:
    frame = tidy.tidy_answers(db, data.current)
    first, second, third = (r.id for r in data.responses)
    assert set(frame["response_id"]) == {first, second, third}  # the draft is left out
    assert list(frame.columns) == [*tidy.TIDY_COLUMNS, "language", "group", "country"]
    rows = {(r.response_id, r.question_id, r.row): r for r in frame.itertuples()}
    assert rows[(first, "why_tools", "kraljic")].value == 3
    assert rows[(first, "how_read", "cases")].value == 1
    assert rows[(second, "why_clarity", "")].is_na
    assert rows[(second, "role.other", "")].value == "Lawyer"
    assert (rows[(second, "years", "")].language, rows[(second, "years", "")].country) == (
        "fi",
        "SE",
    )
    assert len(frame) == 10 + 8 + 7  # a row per matrix row and per chosen option


def test_tidy_of_an_anonymous_round_carries_no_group_or_country(
    db: Session, tmp_path: Path
) -> None:
    data = build(db, tmp_path, anonymous=True)
    frame = tidy.tidy_answers(db, data.current)
    assert list(frame.columns) == [*tidy.TIDY_COLUMNS, "language"]


def test_weighted_stats_match_the_textbook() -> None:
    mean, median, sd = weighted_stats([2.0, 4.0, 5.0], [1, 1, 1])
    assert (mean, median) == pytest.approx((11 / 3, 4))
    assert sd == pytest.approx(
        math.sqrt(((2 - 11 / 3) ** 2 + (4 - 11 / 3) ** 2 + (5 - 11 / 3) ** 2) / 2)
    )
    assert weighted_stats([1.0, 3.0], [2, 2])[1] == 2  # even n: the middle two averaged
    assert weighted_stats([7.0], [1])[2] is None


def test_question_figures(db: Session, data: Dataset) -> None:
    summary = summarise(db, data.current)
    stats = by_key(summary.questions)
    assert summary.submitted == 3
    role = stats["role"]
    assert (role.n, role.no_answer) == (3, 0)
    assert [(c.value, c.count, c.share) for c in role.counts] == [
        ("officer", 2, pytest.approx(2 / 3)),
        ("manager", 0, 0),
        ("other", 1, pytest.approx(1 / 3)),
    ]
    years = stats["years"]
    assert (years.n, years.no_answer, years.mean, years.median) == (2, 1, 7.5, 7.5)
    assert years.sd == pytest.approx(math.sqrt(12.5))
    clarity = stats["why_clarity"]
    assert (clarity.n, clarity.not_applicable, clarity.no_answer) == (2, 1, 0)
    assert (clarity.mean, clarity.median, clarity.sd) == (3, 3, pytest.approx(math.sqrt(2)))
    assert [c.count for c in clarity.counts] == [0, 1, 0, 1, 0]
    assert clarity.counts[0].label == "Strongly disagree"
    assert [c.share for c in clarity.counts][1] == 0.5


def test_matrix_multi_rating_and_text(db: Session, data: Dataset) -> None:
    stats = by_key(summarise(db, data.current, lang="fi").questions)
    canvas, kraljic = stats["why_tools.canvas"], stats["why_tools.kraljic"]
    assert (canvas.n, canvas.mean, canvas.median, canvas.sd) == (3, 4, 4, 1)
    assert (kraljic.n, kraljic.no_answer, kraljic.mean) == (2, 1, 4)
    assert kraljic.row_label == "Kraljicin matriisi"
    read = stats["how_read"]
    assert (read.n, read.no_answer) == (2, 1)
    assert [(c.label, c.count, c.share) for c in read.counts] == [
        ("Vaiheet", 2, 1.0),
        ("Tapaukset", 1, 0.5),
        ("Pohjat", 0, 0.0),
    ]
    rating = stats["usefulness"]
    assert (rating.n, rating.mean, rating.median, rating.sd) == (3, 8, 8, 2)
    assert len(rating.counts) == 11 and rating.counts[8].count == 1
    comment = stats["why_comment"]
    assert (comment.n, comment.no_answer, comment.mean, comment.counts) == (2, 1, None, [])


def test_chapter_scores_are_raw_means_of_likert_and_matrix_answers(
    db: Session, data: Dataset
) -> None:
    chapters = {c.chapter: c for c in summarise(db, data.current).chapters}
    assert list(chapters) == ["why", "how"]
    assert (chapters["why"].n, chapters["why"].mean) == (7, pytest.approx(26 / 7))
    # the 0-10 rating `usefulness` is not part of the chapter score
    assert (chapters["how"].n, chapters["how"].mean) == (3, pytest.approx(11 / 3))


def test_a_round_without_answers(db: Session, data: Dataset) -> None:
    empty = db.scalars(select(Round).where(Round.revision == "0.11")).one()
    summary = summarise(db, empty)
    assert summary.submitted == 0
    assert all(s.n == 0 and s.mean is None for s in summary.questions)
    assert all(c.mean is None for c in summary.chapters)


def test_a_whole_float_counts_as_its_integer_value(db: Session, data: Dataset) -> None:
    latest = db.scalars(select(Round).where(Round.revision == "0.11")).one()
    respond(db, latest, {"usefulness": 7.0})
    respond(db, latest, {"usefulness": 7})
    rating = by_key(summarise(db, latest).questions)["usefulness"]
    assert (rating.n, rating.counts[7].count, rating.counts[7].share) == (2, 2, 1.0)
