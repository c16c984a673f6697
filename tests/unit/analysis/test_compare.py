"""Revision against revision: the previous round, changed questions, change of means."""

from __future__ import annotations

import pytest
from analysis_dataset import Dataset
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.analysis.compare import compare_rounds, previous_round
from surveyapp.models import Round
from surveyapp.services.rounds import revision_key


def test_revisions_compare_as_version_tuples() -> None:
    assert revision_key("0.3") < revision_key("0.10") < revision_key("1.0")
    assert revision_key("0.9") < revision_key("0.10")
    assert revision_key("1.0") < revision_key("1.0.1")


def test_previous_round_is_the_greatest_lower_revision_of_the_same_survey(
    db: Session, data: Dataset
) -> None:
    assert previous_round(db, data.current) is data.previous
    assert previous_round(db, data.previous) is None
    latest = db.scalars(select(Round).where(Round.revision == "0.11")).one()
    assert previous_round(db, latest) is data.current


def test_changed_questions_are_reported_not_matched(db: Session, data: Dataset) -> None:
    comparison = compare_rounds(db, data.current)
    assert comparison is not None
    assert (comparison.previous_round_id, comparison.previous_revision) == (data.previous.id, "0.9")
    changes = comparison.definitions
    assert changes.added == ["usefulness"]
    assert changes.removed == ["old_q"]
    assert changes.reworded == ["why_clarity"]
    assert changes.matched == [
        "role",
        "years",
        "why_tools",
        "why_comment",
        "how_clarity",
        "how_read",
    ]


def test_change_of_means_per_question_and_chapter(db: Session, data: Dataset) -> None:
    comparison = compare_rounds(db, data.current)
    assert comparison is not None
    questions = {c.key: c for c in comparison.questions}
    assert set(questions) == {"years", "why_tools.canvas", "why_tools.kraljic", "how_clarity"}
    assert questions["how_clarity"].change == pytest.approx(11 / 3 - 2)
    assert questions["why_tools.canvas"].change == pytest.approx(2)
    assert questions["why_tools.kraljic"].change == pytest.approx(0)
    assert questions["years"].previous is None and questions["years"].change is None
    chapters = {c.key: c for c in comparison.chapters}
    assert chapters["why"].previous == pytest.approx(13 / 6)
    assert chapters["why"].change == pytest.approx(26 / 7 - 13 / 6)
    assert chapters["how"].change == pytest.approx(11 / 3 - 2)


def test_no_comparison_without_a_previous_revision(db: Session, data: Dataset) -> None:
    assert compare_rounds(db, data.previous) is None
