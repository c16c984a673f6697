"""Triage beyond statuses: assignees, duplicates marked and suggested (services.feedback_queue,
services.feedback_similar), on the suite's database (SQLite, or PostgreSQL with
TEST_DATABASE_URL): item ids are never written down, they differ by database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from queue_world import PLANTED, TWIN, UNRELATED, dups_round
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.db import Base, make_engine
from surveyapp.errors import InvalidRequest
from surveyapp.models import Answer, AuditEvent, FeedbackItem, Response, User
from surveyapp.services import feedback, feedback_changes, feedback_queue, feedback_similar
from surveyapp.services.audit import Actor
from surveyapp.services.feedback_queue import ANYONE, NOBODY, QueueQuery

EDITOR = Actor(name="editor@partnership.example")


@pytest.fixture
def db_engine(database_url: str) -> Iterator[Engine]:
    """`db` (tests/unit/conftest.py) on the suite's database, emptied afterwards."""
    engine = make_engine(database_url)
    yield engine.execution_options(sqlite_immediate=False)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


def account(db: Session, email: str, *, active: bool = True) -> User:
    user = User(email=email, password_hash="x", role="editor", is_active=active)
    db.add(user)
    db.flush()
    return user


def links(db: Session, ids: dict[str, int]) -> dict[str, tuple[str, str | None]]:
    """Each text's status and the text of the item it duplicates."""
    db.expire_all()
    texts = {item_id: text for text, item_id in ids.items()}
    rows = db.execute(select(FeedbackItem.id, FeedbackItem.status, FeedbackItem.duplicate_of_id))
    return {
        texts[i]: (status, texts[original] if original else None)
        for i, status, original in rows
        if i in texts
    }


def events(db: Session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.scalars(query))


ANSWERS = [("why_text", "en", t) for t in ("A", "B", "C", "D")]


def test_mark_duplicates_links_the_items_and_audits_the_actor(db: Session, tmp_path: Path) -> None:
    round_, ids = dups_round(db, tmp_path, ANSWERS)
    marked = feedback_changes.mark_duplicates(
        db, round_, [ids["B"], ids["C"]], ids["A"], actor=EDITOR
    )
    assert marked == 2
    assert links(db, ids) == {
        "A": ("new", None),
        "B": ("duplicate", "A"),
        "C": ("duplicate", "A"),
        "D": ("new", None),
    }
    [event] = events(db, "feedback_duplicate")
    assert event.actor_email == EDITOR.name and event.target == f"round {round_.id}"
    assert event.detail == f"2 items duplicate of {ids['A']}: {ids['B']}, {ids['C']}"


def test_a_duplicate_of_a_duplicate_links_to_the_original_and_no_chain_is_left(
    db: Session, tmp_path: Path
) -> None:
    round_, ids = dups_round(db, tmp_path, ANSWERS)
    feedback_changes.mark_duplicates(db, round_, [ids["B"]], ids["A"], actor=EDITOR)
    feedback_changes.mark_duplicates(db, round_, [ids["C"]], ids["B"], actor=EDITOR)
    assert links(db, ids)["C"] == ("duplicate", "A"), "onto B's original"
    # A itself now repeats D: B and C follow, to D.
    feedback_changes.mark_duplicates(db, round_, [ids["A"]], ids["D"], actor=EDITOR)
    assert {text: original for text, (_s, original) in links(db, ids).items()} == {
        "A": "D",
        "B": "D",
        "C": "D",
        "D": None,
    }


def test_mark_duplicates_refuses_self_links_other_rounds_and_unknown_items(
    db: Session, tmp_path: Path
) -> None:
    round_, ids = dups_round(db, tmp_path, ANSWERS)
    other, other_ids = dups_round(db, tmp_path, [("why_text", "en", "Elsewhere")])
    feedback_changes.mark_duplicates(db, round_, [ids["B"]], ids["A"], actor=EDITOR)
    before = links(db, ids)
    refused = [
        ([ids["A"]], ids["A"]),  # itself
        ([ids["A"]], ids["B"]),  # B's original is A: itself again
        ([ids["C"]], other_ids["Elsewhere"]),  # an original of another round
        ([other_ids["Elsewhere"]], ids["A"]),  # an item of another round
        ([ids["C"], 999999], ids["A"]),  # an unknown item
        ([], ids["A"]),  # nothing
    ]
    for items, original in refused:
        with pytest.raises(InvalidRequest):
            feedback_changes.mark_duplicates(db, round_, items, original, actor=EDITOR)
    assert links(db, ids) == before
    assert len(events(db, "feedback_duplicate")) == 1
    assert other.id != round_.id


def test_another_status_drops_the_duplicate_link(db: Session, tmp_path: Path) -> None:
    round_, ids = dups_round(db, tmp_path, ANSWERS)
    feedback_changes.mark_duplicates(db, round_, [ids["B"], ids["C"]], ids["A"], actor=EDITOR)
    feedback_changes.update_items(db, round_, [ids["B"]], status="accepted", actor=EDITOR)
    item = db.get(FeedbackItem, ids["C"])
    assert item is not None
    feedback.update_item(db, item, "rejected", "", None, actor=EDITOR)
    assert links(db, ids)["B"] == ("accepted", None) and links(db, ids)["C"] == ("rejected", None)


def test_update_items_assigns_keeps_and_unassigns_with_the_actor_in_the_audit(
    db: Session, tmp_path: Path
) -> None:
    round_, ids = dups_round(db, tmp_path, ANSWERS)
    anna = account(db, "anna@partnership.example")
    chosen = [ids["A"], ids["B"]]
    feedback_changes.update_items(db, round_, chosen, status=None, assignee=anna.id, actor=EDITOR)
    feedback_changes.update_items(db, round_, chosen, status="accepted", actor=EDITOR)
    db.expire_all()
    rows = db.execute(select(FeedbackItem.id, FeedbackItem.assignee_id, FeedbackItem.status))
    assert {i: (a, s) for i, a, s in rows if i in chosen} == {
        i: (anna.id, "accepted") for i in chosen
    }, "a status alone keeps the assignee"
    feedback_changes.update_items(db, round_, chosen[:1], status=None, assignee=None, actor=EDITOR)
    assigned, status, unassigned = (
        *events(db, "feedback_update")[:1],
        *events(db, "feedback_status"),
        *events(db, "feedback_update")[1:],
    )
    both = f"{ids['A']}, {ids['B']}"
    assert assigned.detail == f"2 items assigned to anna@partnership.example: {both}"
    assert status.detail == f"2 items → accepted: {both}"
    assert unassigned.detail == f"1 items assigned to nobody: {ids['A']}"
    assert {e.actor_email for e in (assigned, status, unassigned)} == {EDITOR.name}
    assert db.get(FeedbackItem, ids["A"]).assignee_id is None  # type: ignore[union-attr]


def test_update_items_refuses_inactive_or_unknown_accounts_and_nothing_to_change(
    db: Session, tmp_path: Path
) -> None:
    round_, ids = dups_round(db, tmp_path, ANSWERS)
    gone = account(db, "gone@partnership.example", active=False)
    for assignee in (gone.id, 999999):
        with pytest.raises(InvalidRequest):
            feedback_changes.update_items(
                db, round_, [ids["A"]], status=None, assignee=assignee, actor=EDITOR
            )
    with pytest.raises(InvalidRequest):
        feedback_changes.update_items(db, round_, [ids["A"]], status=None, actor=EDITOR)
    assert not events(db, "feedback_update")


def test_the_assignee_filter_narrows_a_select(db: Session, tmp_path: Path) -> None:
    round_, ids = dups_round(db, tmp_path, ANSWERS)
    anna, ben = account(db, "anna@partnership.example"), account(db, "ben@partnership.example")
    for text, who in (("A", anna), ("B", ben)):
        feedback_changes.update_items(
            db, round_, [ids[text]], status=None, assignee=who.id, actor=EDITOR
        )
    statement = select(FeedbackItem.id).where(FeedbackItem.round_id == round_.id)

    def found(assignee: int | str | None) -> set[int]:
        query = QueueQuery(assignee=assignee)  # type: ignore[arg-type]
        return set(db.scalars(feedback_queue._assignee_filter(statement, query)))

    assert found(None) == set(ids.values())
    assert found(ANYONE) == {ids["A"], ids["B"]}
    assert found(NOBODY) == {ids["C"], ids["D"]}
    assert found(anna.id) == {ids["A"]}


# --- suggested duplicates ---------------------------------------------------------------------


def suggestions(db: Session, round_: object, ids: dict[str, int]) -> dict[str, list[str]]:
    """For each text of the round's first page, the texts suggested as its duplicates."""
    texts = {item_id: text for text, item_id in ids.items()}
    rows = feedback_queue.items_page(db, round_, QueueQuery()).rows  # type: ignore[arg-type]
    found = feedback_similar.similar_comments(db, round_, rows)  # type: ignore[arg-type]
    return {texts[i]: [texts[s.id] for s in similar] for i, similar in found.items()}


def test_near_duplicates_are_suggested_for_each_other_unrelated_ones_not(
    db: Session, tmp_path: Path
) -> None:
    round_, ids = dups_round(
        db,
        tmp_path,
        [
            ("why_text", "en", PLANTED),
            ("why_text", "en", TWIN),
            ("why_text", "en", UNRELATED),
            ("how_text", "en", PLANTED + " "),  # another chapter
            ("why_text", "fi", PLANTED + "  "),  # another language
        ],
    )
    assert suggestions(db, round_, ids) == {PLANTED: [TWIN], TWIN: [PLANTED]}
    rows = feedback_queue.items_page(db, round_, QueueQuery()).rows
    [score] = [s.score for s in feedback_similar.similar_comments(db, round_, rows)[ids[TWIN]]]
    assert 80 <= score < 100


def test_an_anonymous_round_compares_within_the_chapter(db: Session, tmp_path: Path) -> None:
    answers = [
        ("why_text", "en", PLANTED),
        ("why_text", "fi", TWIN),
        ("how_text", "en", PLANTED + " "),
    ]
    round_, ids = dups_round(db, tmp_path, answers, anonymous=True)
    assert suggestions(db, round_, ids) == {PLANTED: [TWIN], TWIN: [PLANTED]}


def test_duplicates_are_neither_given_nor_offered_suggestions(db: Session, tmp_path: Path) -> None:
    texts = [PLANTED, TWIN, TWIN + ".", TWIN + "!"]
    round_, ids = dups_round(db, tmp_path, [("why_text", "en", t) for t in texts])
    assert len(suggestions(db, round_, ids)[PLANTED]) == 3, "the top three"
    feedback_changes.mark_duplicates(db, round_, [ids[TWIN + "!"]], ids[TWIN], actor=EDITOR)
    found = suggestions(db, round_, ids)
    assert TWIN + "!" not in found and TWIN + "!" not in found[PLANTED]


def test_suggestions_for_a_page_against_5000_comments_take_well_under_a_second(
    db: Session, tmp_path: Path
) -> None:
    round_, _ids = dups_round(db, tmp_path, [("why_text", "en", PLANTED)])
    first = db.scalar(select(Response.id).order_by(Response.id.desc()).limit(1)) or 0
    words = [
        "manual",
        "chapter",
        "procurement",
        "strategy",
        "checklist",
        "deadline",
        "market",
        "tool",
        "training",
    ]
    responses = [
        {"id": first + 1 + n, "round_id": round_.id, "status": "submitted", "language": "en"}
        for n in range(5000)
    ]
    answers = [
        {
            "response_id": r["id"],
            "question_id": "why_text",
            "value": " ".join(words[(n + k * 7) % len(words)] for k in range(5 + n % 20)),
        }
        for n, r in enumerate(responses)
    ]
    db.execute(insert(Response), responses)
    db.execute(insert(Answer), answers)
    feedback.bring_in_comments(db, round_, actor=SETUP)
    db.commit()
    rows = feedback_queue.items_page(db, round_, QueueQuery()).rows
    started = time.perf_counter()
    found = feedback_similar.similar_comments(db, round_, rows)
    took = time.perf_counter() - started
    print(f"suggestions for {len(rows)} rows against 5001 comments: {took * 1000:.0f} ms")
    assert len(rows) == 50 and found and took < 2.0
