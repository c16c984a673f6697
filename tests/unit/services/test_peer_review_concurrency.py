"""Several people on one review at once: members of one party sharing an assessment, two
coordinators writing the first note of a criterion; and nothing changes after publication."""

from __future__ import annotations

import threading
import time

import pytest
from review_builders import (
    audited,
    db_engine,  # noqa: F401 - the suite's database (SQLite or PostgreSQL)
    host_member,
    new_review,
)
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.errors import InvalidRequest
from surveyapp.review_models import PeerReview, ReviewNote
from surveyapp.services import peer_reviews
from surveyapp.services.audit import Actor
from surveyapp.services.peer_reviews import notes as notes_module

COORDINATOR = Actor(name="coordinator@partnership.example")


def test_two_members_of_one_party_a_stale_form_is_refused_nothing_lost(db: Session) -> None:
    review = new_review(db)
    host = host_member(review)
    colleague = peer_reviews.add_member(
        db, host.party, name="Harri Host", email="harri@host.example", actor=SETUP
    )
    # Both open the chapter before anything is saved: both saw version 0.
    first = peer_reviews.save_assessment(
        db, host, "how_1", level=3, evidence="Hanna's evidence", seen_version=0, actor=SETUP
    )
    assert first.version == 1
    with pytest.raises(peer_reviews.StaleAssessment) as refused:
        peer_reviews.save_assessment(
            db, colleague, "how_1", level=1, evidence="", seen_version=0, actor=SETUP
        )
    assert isinstance(refused.value, InvalidRequest) and refused.value.status_code == 409
    assert refused.value.current is first
    assert (first.level, first.evidence, first.version) == (3, "Hanna's evidence", 1)
    # A first save on a criterion nobody saved: a stale version is refused, no row is left.
    with pytest.raises(peer_reviews.StaleAssessment):
        peer_reviews.save_assessment(db, colleague, "how_2", level=2, seen_version=4, actor=SETUP)
    db.flush()
    assert "how_2" not in peer_reviews.assessments_by_party(db, review)[host.party_id]
    # With the version now seen the colleague saves; None (CLI, demo) skips the check.
    peer_reviews.save_assessment(
        db, colleague, "how_1", level=2, evidence="Both", seen_version=1, actor=SETUP
    )
    again = peer_reviews.save_assessment(db, host, "how_1", level=4, actor=SETUP)
    assert (again.level, again.evidence, again.version, again.updated_by) == (
        4,
        "Both",
        3,
        host.id,
    )


def _note(db: Session, review: PeerReview, text: str, seen: int | None = 0) -> ReviewNote:
    return peer_reviews.save_note(
        db,
        review,
        "how_1",
        notes=text,
        final_level=3,
        strengths="",
        development_areas="",
        seen_version=seen,
        actor=COORDINATOR,
    )


def test_a_first_note_that_lost_the_race_is_stale_not_a_crash(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B opened the empty form; A's first note is committed between B's look-up and B's
    insert: the unique constraint refuses B's, and B sees A's note, the session usable."""
    review = new_review(db)
    with Session(db.get_bind()) as other:
        _note(other, other.get(PeerReview, review.id), "A's notes")  # type: ignore[arg-type]
        other.commit()
    looked_up = notes_module.note_of
    first_look = [True]

    def before_a_committed(*args: object) -> ReviewNote | None:
        if first_look.pop() if first_look else False:
            return None  # B's look-up happened before A's commit
        return looked_up(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(notes_module, "note_of", before_a_committed)
    with pytest.raises(peer_reviews.StaleNote) as refused:
        _note(db, review, "B's notes")
    assert (refused.value.current.notes, refused.value.current.version) == ("A's notes", 1)
    monkeypatch.setattr(notes_module, "note_of", looked_up)
    saved = _note(db, review, "B's notes after reading A's", seen=1)
    db.commit()
    assert (saved.notes, saved.version) == ("B's notes after reading A's", 2)


def test_two_first_notes_at_the_same_moment_on_postgresql(db: Session) -> None:
    """The real race: A's insert holds the unique key; B's waits for it, then is refused."""
    engine = db.get_bind()
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time; PostgreSQL inserts concurrently")
    with Session(engine, expire_on_commit=False) as setup:
        review_id = new_review(setup).id
    outcome: list[object] = []

    def second() -> None:
        with Session(engine) as session:
            try:
                _note(session, session.get(PeerReview, review_id), "B")  # type: ignore[arg-type]
                session.commit()
                outcome.append("saved")
            except peer_reviews.StaleNote as stale:
                outcome.append(stale.current.notes)

    with Session(engine) as first:
        _note(first, first.get(PeerReview, review_id), "A")  # type: ignore[arg-type]
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)  # B has looked up (no note yet) and waits on A's unique key
        first.commit()
    thread.join(timeout=10)
    assert outcome == ["A"]


def test_after_publication_notes_actions_and_follow_ups_stay(db: Session) -> None:
    review = new_review(db)
    _note(db, review, "Met the CFO")
    action = peer_reviews.add_action(db, review, title="Write a strategy", actor=COORDINATOR)
    peer_reviews.publish(db, review, actor=COORDINATOR)
    before = len(audited(db))
    with pytest.raises(InvalidRequest, match="published; the notes can no longer change"):
        _note(db, review, "Afterthought", seen=1)
    with pytest.raises(InvalidRequest, match="published; the actions can no longer change"):
        peer_reviews.add_action(db, review, title="Another", actor=COORDINATOR)
    with pytest.raises(InvalidRequest, match="published; the actions can no longer change"):
        peer_reviews.update_action(
            db,
            action,
            title="Changed",
            owner="",
            due_on=None,
            priority="high",
            criterion_id=None,
            actor=COORDINATOR,
        )
    with pytest.raises(InvalidRequest, match="published; the actions can no longer change"):
        peer_reviews.delete_action(db, action, actor=COORDINATOR)
    db.flush()
    assert [a.title for a in peer_reviews.actions_of(db, review)] == ["Write a strategy"]
    assert (action.priority, peer_reviews.note_of(db, review, "how_1").notes) == (  # type: ignore[union-attr]
        "medium",
        "Met the CFO",
    )
    assert len(audited(db)) == before
    with pytest.raises(InvalidRequest, match="published; the assessments"):
        peer_reviews.save_assessment(db, host_member(review), "how_1", level=1, actor=SETUP)
