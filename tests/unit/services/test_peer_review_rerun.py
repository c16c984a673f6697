"""The re-run of a peer review: same organisations with new links, criteria mapped through
`continues`, a follow-up of each earlier action for the host to fill in."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from review_builders import (
    audited,
    criteria_set,
    db_engine,  # noqa: F401 - the suite's database (SQLite or PostgreSQL)
    host_member,
    member_of,
    new_review,
)
from sqlalchemy import event
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.errors import InvalidRequest
from surveyapp.review_models import PeerReview
from surveyapp.services import peer_reviews
from surveyapp.services.audit import Actor

COORDINATOR = Actor(name="coordinator@partnership.example")
LATER = dt.date(2029, 5, 14)


def _published(db: Session) -> PeerReview:
    review = new_review(db)
    for title in ("Write a strategy", "Train buyers"):
        peer_reviews.add_action(db, review, title=title, actor=SETUP)
    peer_reviews.publish(db, review, actor=SETUP)
    db.commit()
    return review


def _rerun(db: Session, earlier: PeerReview, **changes: object) -> PeerReview:
    options: dict[str, object] = {
        "criteria": criteria_set(),
        "evaluation_start": LATER,
        "evaluation_end": LATER + dt.timedelta(days=1),
        "actor": COORDINATOR,
    }
    started = peer_reviews.start_rerun(db, earlier, **(options | changes))  # type: ignore[arg-type]
    return started.review


def test_rerun_copies_organisations_and_members_with_new_links(db: Session) -> None:
    earlier = _published(db)
    rerun = _rerun(db, earlier)
    assert rerun.previous_review_id == earlier.id and rerun.host_name == earlier.host_name
    assert [(p.role, p.name, p.language) for p in rerun.parties] == [
        (p.role, p.name, p.language) for p in earlier.parties
    ]
    old_tokens = {m.token for p in earlier.parties for m in p.members}
    new_members = [m for p in rerun.parties for m in p.members]
    assert [m.email for m in new_members] == [m.email for p in earlier.parties for m in p.members]
    assert not old_tokens & {m.token for m in new_members}
    assert peer_reviews.rerun_of(db, earlier) is rerun
    (event,) = audited(db, "review_rerun_started")
    assert event.target == f"review {rerun.id}"
    assert event.detail.endswith("2 earlier actions to follow up")  # every criterion mapped


def test_each_earlier_action_gets_a_follow_up_the_host_fills_in(db: Session) -> None:
    earlier = _published(db)
    rerun = _rerun(db, earlier)
    rows = peer_reviews.follow_ups(db, rerun)
    assert [(f.action.title, f.status, f.explanation) for f in rows] == [
        ("Write a strategy", None, ""),  # None: the host has not answered yet
        ("Train buyers", None, ""),
    ]
    host = host_member(rerun)
    peer_reviews.save_follow_up(
        db,
        host,
        rows[0].action_id,
        status="done",
        explanation="Adopted 2028",
        actor=peer_reviews.member_actor(host),
    )
    assert (rows[0].status, rows[0].explanation, rows[0].updated_by) == (
        "done",
        "Adopted 2028",
        host.id,
    )
    with pytest.raises(InvalidRequest, match="only the host"):
        peer_reviews.save_follow_up(
            db,
            member_of(rerun, "Peer City 1"),
            rows[0].action_id,
            status="done",
            explanation="",
            actor=SETUP,
        )
    with pytest.raises(InvalidRequest, match="status"):
        peer_reviews.save_follow_up(
            db, host, rows[0].action_id, status="forgotten", explanation="", actor=SETUP
        )
    for missing in (None, ""):
        with pytest.raises(InvalidRequest, match="choose what became of action"):
            peer_reviews.save_follow_up(
                db, host, rows[1].action_id, status=missing, explanation="x", actor=SETUP
            )
    assert (rows[1].status, rows[1].explanation) == (None, "")
    with pytest.raises(InvalidRequest, match="not an earlier action"):
        peer_reviews.save_follow_up(
            db,
            host_member(earlier),
            rows[0].action_id,
            status="done",
            explanation="",
            actor=SETUP,
        )
    (event,) = audited(db, "review_follow_up_saved")
    assert event.actor_email == "City of Testville (peer review link)"
    assert event.detail == f"action {rows[0].action_id}: done"


def test_follow_ups_load_their_actions_in_one_query(db: Session) -> None:
    """No query per row: the follow-up pages and reports read every row's action."""
    rerun = _rerun(db, _published(db))
    db.commit()
    db.expunge_all()  # nothing loaded: every action must come from the one query
    review = db.get_one(PeerReview, rerun.id)
    statements: list[str] = []
    engine = db.get_bind()

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        rows = peer_reviews.follow_ups(db, review)
        titles = [row.action.title for row in rows]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert titles == ["Write a strategy", "Train buyers"]
    assert len(statements) == 1, statements


def test_an_earlier_action_with_a_follow_up_cannot_be_deleted(db: Session) -> None:
    earlier = _published(db)
    _rerun(db, earlier)
    action = peer_reviews.actions_of(db, earlier)[0]
    with pytest.raises(InvalidRequest, match="re-run reports on this action"):
        peer_reviews.delete_action(db, action, actor=SETUP)


def test_new_actions_may_continue_an_earlier_one(db: Session) -> None:
    earlier = _published(db)
    rerun = _rerun(db, earlier)
    old = peer_reviews.actions_of(db, earlier)[0]
    added = peer_reviews.add_action(
        db, rerun, title="Review the strategy", carried_from_id=old.id, actor=SETUP
    )
    assert added.carried_from_id == old.id


def test_criteria_map_by_same_id_or_continues(db: Session) -> None:
    earlier = _published(db)
    successor = criteria_set(
        "test-set-2",
        renamed={"how_1": "mandate", "what_2": "what_all"},
        continues={"mandate": ["how_1"], "what_all": ["what_2", "what_1"]},
    )
    rerun = _rerun(db, earlier, criteria=successor)
    assert rerun.criteria_set_id == "test-set-2"
    mapping = peer_reviews.earlier_criteria(rerun)
    assert mapping["mandate"] == ("how_1",)
    assert mapping["how_2"] == ("how_2",)
    assert mapping["what_all"] == ("what_2", "what_1")
    assert peer_reviews.earlier_criteria(earlier) == {}


def test_rerun_reports_the_criteria_its_mapping_leaves_out(db: Session) -> None:
    """how_1 is renamed without `continues`, what_all names an id the earlier set lacks, and
    who_2 is reused for a new criterion while who_new continues the earlier who_2."""
    earlier = _published(db)
    successor = criteria_set(
        "test-set-2",
        renamed={"how_1": "mandate", "what_2": "what_all", "who_1": "who_new"},
        continues={"what_all": ["what_2", "what_3"], "who_new": ["who_1", "who_2"]},
    )
    started = peer_reviews.start_rerun(
        db,
        earlier,
        criteria=successor,
        evaluation_start=LATER,
        evaluation_end=LATER,
        actor=COORDINATOR,
    )
    mapping = started.mapping
    assert mapping.unmapped_earlier == ("how_1",)
    assert mapping.unmapped_new == ("mandate", "who_2")
    assert mapping.unknown_continues == (("what_all", "what_3"),)
    assert mapping.carried["who_new"] == ("who_1", "who_2")
    assert mapping.carried["who_2"] == ()  # the id is reused: who_new carries the old who_2
    assert peer_reviews.earlier_criteria(started.review) == mapping.carried
    (event,) = audited(db, "review_rerun_started")
    assert event.detail.endswith(
        "2 earlier actions to follow up; earlier criteria not carried on: how_1; "
        "new criteria without an earlier one: mandate, who_2; "
        "not in the earlier set: what_all continues what_3"
    )


def test_a_rerun_on_a_set_without_the_partys_language_is_refused(db: Session) -> None:
    earlier = _published(db)  # the peers work in sv
    without_sv = dataclasses.replace(criteria_set("no-sv"), languages=("en", "fi"))
    with pytest.raises(InvalidRequest, match="the language of Peer City 1 is 'sv'"):
        _rerun(db, earlier, criteria=without_sv)
    db.commit()  # nothing half-made is left to write
    assert peer_reviews.rerun_of(db, earlier) is None


def test_rerun_refused_before_publishing_twice_or_with_earlier_days(db: Session) -> None:
    review = new_review(db)
    with pytest.raises(InvalidRequest, match="publish review"):
        _rerun(db, review)
    peer_reviews.publish(db, review, actor=SETUP)
    with pytest.raises(InvalidRequest, match="come after"):
        _rerun(db, review, evaluation_start=review.evaluation_start)
    _rerun(db, review)
    with pytest.raises(InvalidRequest, match="re-run already"):
        _rerun(db, review)


def test_follow_ups_close_when_the_rerun_is_published(db: Session) -> None:
    rerun = _rerun(db, _published(db))
    peer_reviews.publish(db, rerun, actor=SETUP)
    row = peer_reviews.follow_ups(db, rerun)[0]
    with pytest.raises(InvalidRequest, match="published"):
        peer_reviews.save_follow_up(
            db, host_member(rerun), row.action_id, status="done", explanation="", actor=SETUP
        )
