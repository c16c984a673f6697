"""Peer review services: parties and links, assessments, agenda, notes, actions, publish;
each write audited (docs/peer-review.md "Services")."""

from __future__ import annotations

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
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.errors import InvalidRequest
from surveyapp.services import peer_reviews
from surveyapp.services.audit import Actor
from surveyapp.services.peer_reviews import scores

COORDINATOR = Actor(name="coordinator@partnership.example")


def test_create_review_freezes_the_set_and_adds_the_host(db: Session) -> None:
    review = peer_reviews.create_review(
        db,
        title="Peer review 2027",
        host_name="City of Testville",
        host_language="fi",
        criteria=criteria_set(),
        evaluation_start=dt.date(2027, 5, 10),
        evaluation_end=dt.date(2027, 5, 11),
        actor=COORDINATOR,
    )
    assert peer_reviews.criteria_of(review) == criteria_set()
    assert [(p.role, p.name, p.language) for p in review.parties] == [
        ("host", "City of Testville", "fi")
    ]
    assert [e.action for e in audited(db)] == ["review_created", "review_party_added"]
    assert audited(db)[0].target == f"review {review.id}"


def test_evaluation_days_in_order(db: Session) -> None:
    with pytest.raises(InvalidRequest, match="must not be before"):
        peer_reviews.create_review(
            db,
            title="t",
            host_name="h",
            host_language="fi",
            criteria=criteria_set(),
            evaluation_start=dt.date(2027, 5, 11),
            evaluation_end=dt.date(2027, 5, 10),
            actor=SETUP,
        )


def test_parties_one_host_three_peers_unique_names(db: Session) -> None:
    review = new_review(db, peers=3)
    with pytest.raises(InvalidRequest, match="at most 3"):
        peer_reviews.add_party(db, review, role="peer", name="Fourth", language="en", actor=SETUP)
    with pytest.raises(InvalidRequest, match="host already"):
        peer_reviews.add_party(db, review, role="host", name="Other", language="en", actor=SETUP)
    with pytest.raises(InvalidRequest, match="already"):
        peer_reviews.add_party(
            db, review, role="peer", name="peer city 1", language="en", actor=SETUP
        )
    with pytest.raises(InvalidRequest, match="host or peer"):
        peer_reviews.add_party(db, review, role="guest", name="G", language="en", actor=SETUP)


def test_members_get_unique_links_found_by_token(db: Session) -> None:
    review = new_review(db)
    party = peer_reviews.party_by_name(review, "Peer City 1")
    member = peer_reviews.add_member(
        db, party, name="Eva Berg", email="eva@malmo.example", language="sv", actor=COORDINATOR
    )
    tokens = {m.token for p in review.parties for m in p.members}
    assert len(tokens) == 4 and all(len(t) >= 32 for t in tokens)
    assert peer_reviews.member_by_token(db, member.token) is member
    assert peer_reviews.member_by_token(db, member.token[:-1] + "x") is None
    assert peer_reviews.member_by_token(db, "short") is None
    (event,) = audited(db, "review_member_added")
    assert event.detail == "Eva Berg <eva@malmo.example> of Peer City 1"  # no link
    with pytest.raises(InvalidRequest, match="not an email"):
        peer_reviews.add_member(db, party, name="X", email="nobody", actor=SETUP)


def test_host_and_peer_save_their_own_fields(db: Session) -> None:
    review = new_review(db)
    host, peer = host_member(review), member_of(review, "Peer City 1")
    saved = peer_reviews.save_assessment(
        db,
        host,
        "how_1",
        level=3,
        evidence="Our procurement strategy",
        links="https://city.example/strategy",
        key_people="Head of procurement",
        actor=peer_reviews.member_actor(host),
    )
    assert (saved.level, saved.evidence, saved.updated_by) == (
        3,
        "Our procurement strategy",
        host.id,
    )
    peer_reviews.save_assessment(
        db, peer, "how_1", level=2, observations="Thin", questions="Who decides?", actor=SETUP
    )
    with pytest.raises(InvalidRequest, match="host member does not give observations"):
        peer_reviews.save_assessment(db, host, "how_1", level=3, observations="x", actor=SETUP)
    with pytest.raises(InvalidRequest, match="peer member does not give evidence"):
        peer_reviews.save_assessment(db, peer, "how_1", level=3, evidence="x", actor=SETUP)
    views = peer_reviews.assessments_by_party(db, review)
    assert views[peer.party_id]["how_1"].questions == "Who decides?"
    assert peer_reviews.progress(db, review)[host.party_id] == 1


def test_a_save_keeps_texts_not_given_and_is_audited_as_the_organisation(db: Session) -> None:
    review = new_review(db)
    host = host_member(review)
    actor = peer_reviews.member_actor(host, "192.0.2.1")
    peer_reviews.save_assessment(db, host, "how_1", level=3, evidence="E", actor=actor)
    peer_reviews.save_assessment(db, host, "how_1", level=4, actor=actor)
    assert peer_reviews.assessments_by_party(db, review)[host.party_id]["how_1"].evidence == "E"
    events = audited(db, "review_assessment_saved")
    assert [e.detail for e in events] == [
        "City of Testville: how_1 level 3",
        "City of Testville: how_1 level 4",
    ]
    assert events[0].actor_email == "City of Testville (peer review link)"
    assert all(host.token not in e.actor_email + e.detail + e.target for e in events)


def test_a_reviewers_link_pasted_into_an_audited_text_is_redacted(db: Session) -> None:
    """An action's title goes into the audit detail: a coordinator who pastes a reviewer's
    personal link into it must not leave the credential in the audit log."""
    review = new_review(db)
    token = host_member(review).token
    title = f"Ask the host to finish https://reviews.example/r/{token}/chapter/how"
    action = peer_reviews.add_action(db, review, title=title, actor=COORDINATOR)
    (event,) = audited(db, "review_action_added")
    assert token not in event.detail
    assert event.detail == (
        f"action {action.id}: Ask the host to finish https://reviews.example/r/[token]/chapter/how"
    )


def test_a_level_off_the_scale_or_a_too_long_text_is_refused(db: Session) -> None:
    review = new_review(db)
    host = host_member(review)
    with pytest.raises(InvalidRequest, match="level 6 is not on the scale of 'how_1'"):
        peer_reviews.save_assessment(db, host, "how_1", level=6, actor=SETUP)
    with pytest.raises(InvalidRequest, match="10,000"):
        peer_reviews.save_assessment(db, host, "how_1", level=1, evidence="x" * 10_001, actor=SETUP)
    with pytest.raises(InvalidRequest, match="not a criterion"):
        peer_reviews.save_assessment(db, host, "nope", level=1, actor=SETUP)
    assert audited(db, "review_assessment_saved") == []


def test_divergence_and_spread() -> None:
    assert scores.divergence(3, [1, 4, None]) == 2.0
    assert scores.divergence(None, [1, 2]) is None
    assert scores.divergence(3, [None]) is None
    assert scores.spread([3, 1, 4, None]) == 3
    assert scores.spread([None]) is None


def _score(db: Session, review: object, criterion: str, own: int, *peers: int) -> None:
    from surveyapp.review_models import PeerReview

    assert isinstance(review, PeerReview)
    peer_reviews.save_assessment(
        db,
        host_member(review),
        criterion,
        level=own,
        key_people=f"People of {criterion}",
        actor=SETUP,
    )
    for number, level in enumerate(peers, start=1):
        peer_reviews.save_assessment(
            db,
            member_of(review, f"Peer City {number}"),
            criterion,
            level=level,
            questions=f"Q{number} on {criterion}",
            actor=SETUP,
        )


def test_draft_agenda_orders_by_divergence_and_replaces_itself(db: Session) -> None:
    review = new_review(db)
    _score(db, review, "what_1", 3, 3, 4)  # 1
    _score(db, review, "who_2", 1, 4, 2)  # 3
    _score(db, review, "how_2", 2, 2, 2)  # 0
    items = peer_reviews.draft_agenda(db, review, actor=COORDINATOR)
    assert [i.criterion_id for i in items] == [
        "who_2",
        "what_1",
        "how_2",
        "how_1",
        "what_2",
        "who_1",
    ]
    assert [i.day for i in items] == [1, 1, 1, 2, 2, 2]
    assert items[0].questions == "Peer City 1: Q1 on who_2\nPeer City 2: Q2 on who_2"
    assert items[0].interviewees == "People of who_2"
    again = peer_reviews.draft_agenda(db, review, actor=COORDINATOR)
    assert len(peer_reviews.agenda_items(db, review)) == 6
    assert [i.criterion_id for i in again] == [i.criterion_id for i in items]
    assert [e.detail for e in audited(db, "review_agenda_drafted")] == ["6 items", "6 items"]


def test_a_criterion_the_host_skipped_is_placed_by_the_peers_spread(db: Session) -> None:
    review = new_review(db)
    _score(db, review, "what_1", 3, 3, 4)  # divergence 1
    for number, level in ((1, 1), (2, 4)):  # no self level; the peers' spread is 3
        member = member_of(review, f"Peer City {number}")
        peer_reviews.save_assessment(db, member, "who_1", level=level, actor=SETUP)
    lone_peer = member_of(review, "Peer City 1")
    peer_reviews.save_assessment(db, lone_peer, "how_2", level=2, actor=SETUP)
    assert peer_reviews.scores.disagreement(None, [1, 4]) == 3.0
    assert peer_reviews.scores.disagreement(2, [2, None]) == 0.0
    assert peer_reviews.scores.disagreement(None, [None]) is None
    order = peer_reviews.divergence_order(db, review)
    # who_1 (3) first, what_1 (1), how_2 (one peer: spread 0), then those without a peer's level.
    assert order == ["who_1", "what_1", "how_2", "how_1", "what_2", "who_2"]


def test_agenda_items_edited_and_moved(db: Session) -> None:
    review = new_review(db)
    peer_reviews.draft_agenda(db, review, actor=SETUP)
    first, second, *_ = peer_reviews.agenda_items(db, review)
    peer_reviews.update_agenda_item(
        db, second, day=2, questions="Why?", interviewees="CFO", actor=COORDINATOR
    )
    peer_reviews.move(db, second, by=-1, actor=COORDINATOR)
    peer_reviews.move(db, second, by=-1, actor=COORDINATOR)  # at the top already: no change
    ordered = peer_reviews.agenda_items(db, review)
    assert ordered[:2] == [second, first] and (second.day, second.questions) == (2, "Why?")
    assert [e.detail for e in audited(db, "review_agenda_changed")] == [
        "how_2 edited",
        "how_2 moved to place 1",
    ]
    with pytest.raises(InvalidRequest, match="day 1 or day 2"):
        peer_reviews.update_agenda_item(
            db, first, day=3, questions="", interviewees="", actor=SETUP
        )


def test_notes_refuse_a_bad_level_and_a_stale_form_without_changing_anything(
    db: Session,
) -> None:
    review = new_review(db)
    note = peer_reviews.save_note(
        db,
        review,
        "how_1",
        notes="Met the CFO",
        final_level=3,
        strengths="S",
        development_areas="D",
        seen_version=0,
        actor=COORDINATOR,
    )
    assert (note.version, note.final_level) == (1, 3)
    with pytest.raises(InvalidRequest, match="level 9 is not on the scale"):
        peer_reviews.save_note(
            db,
            review,
            "how_1",
            notes="new",
            final_level=9,
            strengths="",
            development_areas="",
            seen_version=1,
            actor=SETUP,
        )
    with pytest.raises(peer_reviews.StaleNote) as stale:
        peer_reviews.save_note(
            db,
            review,
            "how_1",
            notes="old form",
            final_level=2,
            strengths="",
            development_areas="",
            seen_version=0,
            actor=SETUP,
        )
    assert stale.value.current.notes == "Met the CFO"
    kept = peer_reviews.note_of(db, review, "how_1")
    assert kept is not None and (kept.notes, kept.final_level, kept.version) == (
        "Met the CFO",
        3,
        1,
    )
    assert [e.detail for e in audited(db, "review_note_saved")] == ["how_1: final level 3"]


def test_actions_added_changed_deleted(db: Session) -> None:
    review = new_review(db)
    first = peer_reviews.add_action(
        db,
        review,
        title="Write a procurement strategy",
        owner="CFO",
        due_on=dt.date(2028, 1, 31),
        priority="high",
        criterion_id="how_1",
        actor=COORDINATOR,
    )
    second = peer_reviews.add_action(db, review, title="Train buyers", actor=COORDINATOR)
    assert (first.position, second.position, second.priority) == (1, 2, "medium")
    peer_reviews.update_action(
        db,
        second,
        title="Train all buyers",
        owner="HR",
        due_on=None,
        priority="low",
        criterion_id=None,
        actor=COORDINATOR,
    )
    with pytest.raises(InvalidRequest, match="priority"):
        peer_reviews.add_action(db, review, title="x", priority="urgent", actor=SETUP)
    with pytest.raises(InvalidRequest, match="not a criterion"):
        peer_reviews.add_action(db, review, title="x", criterion_id="nope", actor=SETUP)
    with pytest.raises(InvalidRequest, match="earlier review"):
        peer_reviews.add_action(db, review, title="x", carried_from_id=first.id, actor=SETUP)
    peer_reviews.delete_action(db, first, actor=COORDINATOR)
    assert [a.title for a in peer_reviews.actions_of(db, review)] == ["Train all buyers"]
    assert [e.action for e in audited(db)] == [
        "review_action_added",
        "review_action_added",
        "review_action_changed",
        "review_action_deleted",
    ]


def test_publish_once_then_assessments_are_closed(db: Session) -> None:
    review = new_review(db)
    peer_reviews.publish(db, review, actor=COORDINATOR)
    assert review.published_at is not None
    with pytest.raises(InvalidRequest, match="published already"):
        peer_reviews.publish(db, review, actor=COORDINATOR)
    with pytest.raises(InvalidRequest, match="published"):
        peer_reviews.save_assessment(db, host_member(review), "how_1", level=1, actor=SETUP)
    assert [e.action for e in audited(db)] == ["review_published"]
    assert peer_reviews.list_reviews(db) == [review]
