"""The demo peer review on the shipped criteria set: complete, published, re-run with a
follow-up of each action and a new self-assessment; added once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from review_builders import db_engine  # noqa: F401 - the suite's database (SQLite or PostgreSQL)
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.analysis.peer_review_reports import pre_report, summary_report
from surveyapp.definitions import CriteriaRegistry
from surveyapp.review_models import PeerReview
from surveyapp.services import demo_review, peer_reviews

CRITERIA = Path(__file__).parents[3] / "criteria"
TODAY = dt.date(2027, 3, 1)


def test_the_demo_review_is_complete_and_its_rerun_followed_up(db: Session) -> None:
    criteria = CriteriaRegistry(CRITERIA).get("procurement-unit")
    result = demo_review.build_review_demo(db, criteria, today=TODAY, actor=SETUP)
    review, rerun = (db.get_one(PeerReview, rid) for rid in result.review_ids)
    assert (review.host_name, review.host_language, review.published_at is not None) == (
        "City of Tampere",
        "fi",
        True,
    )
    assert review.evaluation_start.year == 2026 and rerun.evaluation_start.year == 2028
    assert sorted(p.language for p in peer_reviews.peer_parties(review)) == ["en", "sv"]
    every = len(criteria.criteria)
    assert set(peer_reviews.progress(db, review).values()) == {every}
    assert len(peer_reviews.agenda_items(db, review)) == every
    summary = summary_report(db, review)
    rows = [c for chapter in summary.chapters for c in chapter.criteria]
    assert all(c.final_level is not None and c.strengths and c.development_areas for c in rows)
    assert 4 <= len(summary.actions) <= 6
    assert rerun.previous_review_id == review.id
    follow_ups = summary_report(db, rerun).earlier_actions
    assert len(follow_ups) == len(summary.actions)
    assert all(f.explanation for f in follow_ups)
    assert {f.status for f in follow_ups} >= {"done", "in_progress", "dropped"}
    host = peer_reviews.host_party(rerun)
    assert host is not None and peer_reviews.progress(db, rerun)[host.id] == every
    assert all(
        c.earlier_level is not None for ch in pre_report(db, rerun).chapters for c in ch.criteria
    )
    assert len(result.try_links) == 3


def test_the_demo_review_is_added_once(db: Session) -> None:
    criteria = CriteriaRegistry(CRITERIA).get("procurement-unit")
    first = demo_review.build_review_demo(db, criteria, today=TODAY, actor=SETUP)
    again = demo_review.build_review_demo(db, criteria, today=TODAY, actor=SETUP)
    assert again.review_ids == first.review_ids and again.try_links == first.try_links
    assert len(peer_reviews.list_reviews(db)) == 2
