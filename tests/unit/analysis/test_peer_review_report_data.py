"""The peer review's pre-report and summary as data: levels, spread and divergence, the
interviews, final levels and actions; in a re-run the change and the earlier actions."""

from __future__ import annotations

import datetime as dt

from review_builders import (
    criteria_set,
    db_engine,  # noqa: F401 - the suite's database (SQLite or PostgreSQL)
    host_member,
    member_of,
    new_review,
)
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.analysis.peer_review_reports import pre_report, summary_report
from surveyapp.definitions.manual import Chapter, Manual, Revision
from surveyapp.review_models import PeerReview
from surveyapp.services import peer_reviews


def _scored(db: Session) -> PeerReview:
    review = new_review(db)
    host, first, second = (
        host_member(review),
        member_of(review, "Peer City 1"),
        member_of(review, "Peer City 2"),
    )
    peer_reviews.save_assessment(
        db, host, "how_1", level=4, evidence="Strategy", key_people="CFO", actor=SETUP
    )
    peer_reviews.save_assessment(db, host, "what_1", level=2, key_people="CFO", actor=SETUP)
    peer_reviews.save_assessment(db, host, "who_1", level=3, key_people="Buyers", actor=SETUP)
    peer_reviews.save_assessment(db, first, "how_1", level=2, questions="Who?", actor=SETUP)
    peer_reviews.save_assessment(db, second, "how_1", level=3, observations="Ok", actor=SETUP)
    peer_reviews.save_assessment(db, first, "what_1", level=3, actor=SETUP)
    db.commit()
    return review


def test_pre_report_per_chapter_with_spread_divergence_and_interviews(db: Session) -> None:
    report = pre_report(db, _scored(db), "en")
    assert [c.id for c in report.chapters] == ["how", "what", "who"]
    how_1 = report.chapters[0].criteria[0]
    assert (how_1.text, how_1.self_level, how_1.self_label) == ("Criterion how_1", 4, "Managed")
    assert [(p.party, p.level, p.questions, p.observations) for p in how_1.peers] == [
        ("Peer City 1", 2, "Who?", ""),
        ("Peer City 2", 3, "", "Ok"),
    ]
    assert (how_1.spread, how_1.divergence, how_1.evidence) == (2, 2.0, "Strategy")
    assert [c.id for c in report.most_divergent] == ["how_1", "what_1"]
    assert [(i.people, i.criteria) for i in report.interviews] == [
        ("CFO", ("Criterion how_1", "Criterion what_1")),
        ("Buyers", ("Criterion who_1",)),
    ]
    assert report.heading.peers == ("Peer City 1", "Peer City 2")
    assert report.heading.scale[0].label == "Ad hoc"


def test_where_the_views_differ_most_leaves_out_agreement(db: Session) -> None:
    review = _scored(db)
    host, first = host_member(review), member_of(review, "Peer City 1")
    peer_reviews.save_assessment(db, host, "how_2", level=3, actor=SETUP)
    peer_reviews.save_assessment(db, first, "how_2", level=3, actor=SETUP)  # divergence 0
    peer_reviews.save_assessment(db, first, "who_2", level=1, actor=SETUP)  # host skipped it
    report = pre_report(db, review, "en")
    assert [(c.id, c.divergence) for c in report.most_divergent] == [
        ("how_1", 2.0),
        ("what_1", 1.0),
    ]


def test_reports_come_in_the_hosts_language_unless_asked(db: Session) -> None:
    review = _scored(db)
    assert pre_report(db, review).heading.lang == "fi"
    assert pre_report(db, review).chapters[0].criteria[0].text == "Criterion how_1 (fi)"
    assert pre_report(db, review, "sv").heading.lang == "sv"
    assert summary_report(db, review, "de").heading.lang == "fi"  # not in the set


def test_chapter_titles_from_the_manual(db: Session) -> None:
    manual = Manual(
        languages=("en",),
        revisions=(Revision("0.3", (Chapter("how", {"en": "How we buy"}, 1),)),),
    )
    report = pre_report(db, _scored(db), "en", manual=manual)
    assert [c.title for c in report.chapters] == ["How we buy", "what", "who"]


def _concluded(db: Session) -> PeerReview:
    review = _scored(db)
    for criterion_id, level in (("how_1", 3), ("what_1", 2), ("what_2", 4)):
        peer_reviews.save_note(
            db,
            review,
            criterion_id,
            notes="n",
            final_level=level,
            strengths=f"S {criterion_id}",
            development_areas=f"D {criterion_id}",
            actor=SETUP,
        )
    peer_reviews.add_action(
        db,
        review,
        title="Strategy",
        owner="CFO",
        priority="high",
        criterion_id="how_1",
        due_on=dt.date(2028, 6, 30),
        actor=SETUP,
    )
    peer_reviews.add_action(db, review, title="Training", actor=SETUP)
    peer_reviews.publish(db, review, actor=SETUP)
    db.commit()
    return review


def test_summary_per_criterion_with_actions(db: Session) -> None:
    report = summary_report(db, _concluded(db), "en")
    how_1 = report.chapters[0].criteria[0]
    assert (how_1.final_level, how_1.final_label, how_1.strengths, how_1.self_level) == (
        3,
        "Defined",
        "S how_1",
        4,
    )
    assert [a.title for a in how_1.actions] == ["Strategy"]
    assert [(a.title, a.criterion, a.priority) for a in report.actions] == [
        ("Strategy", "Criterion how_1", "high"),
        ("Training", "", "medium"),
    ]
    assert report.published_at is not None
    assert (report.earlier_actions, report.heading.earlier_review_id) == ((), None)
    assert how_1.change is None and how_1.earlier_level is None


def test_rerun_summary_shows_the_change_through_continues_and_the_follow_ups(
    db: Session,
) -> None:
    earlier = _concluded(db)
    successor = criteria_set(
        "test-set-2",
        renamed={"how_1": "mandate", "what_1": "what_all"},
        continues={"mandate": ["how_1"], "what_all": ["what_1", "what_2"]},
    )
    rerun = peer_reviews.start_rerun(
        db,
        earlier,
        criteria=successor,
        evaluation_start=dt.date(2029, 5, 14),
        evaluation_end=dt.date(2029, 5, 15),
        actor=SETUP,
    ).review
    first, _ = peer_reviews.follow_ups(db, rerun)
    peer_reviews.save_follow_up(
        db,
        host_member(rerun),
        first.action_id,
        status="done",
        explanation="Adopted",
        actor=SETUP,
    )
    peer_reviews.save_note(
        db,
        rerun,
        "mandate",
        notes="",
        final_level=5,
        strengths="",
        development_areas="",
        actor=SETUP,
    )
    report = summary_report(db, rerun, "en")
    rows = {c.id: c for chapter in report.chapters for c in chapter.criteria}
    assert (rows["mandate"].earlier_criteria, rows["mandate"].earlier_level) == (("how_1",), 3.0)
    assert rows["mandate"].change == 2.0
    assert rows["what_all"].earlier_level == 3.0 and rows["what_all"].change is None
    assert rows["who_1"].earlier_level is None
    assert [
        (f.action.title, f.action.criterion, f.status, f.explanation)
        for f in report.earlier_actions
    ] == [
        ("Strategy", "Criterion how_1", "done", "Adopted"),
        ("Training", "", None, ""),  # the host has not answered
    ]
    assert report.heading.earlier_review_id == earlier.id
    assert pre_report(db, rerun, "en").chapters[0].criteria[0].earlier_level == 3.0
