"""The triage work queue (services.feedback_queue) on analysis_dataset's round 0.10: its two
comments ("Too long", "=1+1") and, where a test asks, many more from queue_world."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from analysis_dataset import Dataset, build, respond
from queue_world import add_comments
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.errors import InvalidRequest
from surveyapp.models import FEEDBACK_STATUSES, AuditEvent, FeedbackItem
from surveyapp.services import feedback_changes, feedback_queue
from surveyapp.services.feedback import text_questions
from surveyapp.services.feedback_queue import QueueQuery
from surveyapp.services.rounds import round_survey


@pytest.fixture
def data(db: Session, tmp_path: Path) -> Dataset:
    return build(db, tmp_path)


def statuses(db: Session) -> dict[int, str]:
    db.expire_all()
    return {i: s for i, s in db.execute(select(FeedbackItem.id, FeedbackItem.status))}


def test_pages_of_fifty_in_a_stable_order(db: Session, data: Dataset) -> None:
    ids = add_comments(db, data.current, 1000)
    first = feedback_queue.items_page(db, data.current, QueueQuery())
    second = feedback_queue.items_page(db, data.current, QueueQuery(page=2))
    assert (first.total, first.pages, len(first.rows)) == (1002, 21, 50)
    everything = [r.id for r in first.rows] + [r.id for r in second.rows]
    assert everything == sorted(everything) and len(set(everything)) == 100
    assert [r.id for r in second.rows] == ids[48:98]  # after the dataset's two
    last = feedback_queue.items_page(db, data.current, QueueQuery(page=99))
    assert (last.page, len(last.rows)) == (21, 2), "a page past the end shows the last"


def test_filters_and_search_narrow_the_counts(db: Session, data: Dataset) -> None:
    ids = add_comments(db, data.current, 120)
    feedback_changes.update_items(db, data.current, ids[:30], status="rejected", actor=SETUP)
    rejected = feedback_queue.items_page(db, data.current, QueueQuery(status="rejected"))
    assert rejected.total == 30 and rejected.by_status == {"rejected": 30}
    everything = feedback_queue.items_page(db, data.current, QueueQuery())
    assert everything.by_status == {"new": 92, "rejected": 30}
    assert everything.by_chapter == {"why": 122}
    found = feedback_queue.items_page(db, data.current, QueueQuery(search="comment 01"))
    assert found.total == 20 and found.by_chapter == {"why": 20}  # 0100 … 0119
    none = feedback_queue.items_page(db, data.current, QueueQuery(chapter="how"))
    assert (none.total, none.rows, none.by_chapter) == (0, [], {})
    swedish = feedback_queue.items_page(db, data.current, QueueQuery(language="sv"))
    assert swedish.total == 120
    group = feedback_queue.items_page(db, data.current, QueueQuery(group="g2"))
    assert [(r.answer, r.group, r.country) for r in group.rows] == [("=1+1", "g2", "FI")]


@pytest.mark.parametrize("sort", ["chapter", "status"])
def test_pages_read_run_by_run_join_into_the_whole_order(
    db: Session, data: Dataset, sort: str
) -> None:
    ids = add_comments(db, data.current, 60)
    for status, chosen in (("done", ids[5:17]), ("rejected", ids[40:44]), ("accepted", ids[1:3])):
        feedback_changes.update_items(db, data.current, chosen, status=status, actor=SETUP)
    questions = list(text_questions(round_survey(data.current)))
    items = db.execute(select(FeedbackItem.id, FeedbackItem.status, FeedbackItem.question_id))
    rank = {s: n for n, s in enumerate(FEEDBACK_STATUSES)}
    expected = [
        item_id
        for item_id, status, qid in sorted(
            (row for row in items if row[2] in questions),
            key=lambda r: (rank[r[1]] if sort == "status" else 0, questions.index(r[2]), r[0]),
        )
    ]
    pages = [
        feedback_queue.items_page(db, data.current, QueueQuery(sort=sort, page=n), size=7)
        for n in range(1, 10)  # 62 items: 8 pages of 7 and one of 6
    ]
    assert [r.id for page in pages for r in page.rows] == expected
    assert pages[0].total == len(expected) == 62


def test_a_searched_page_is_the_same_slice_of_the_same_order(db: Session, data: Dataset) -> None:
    add_comments(db, data.current, 300)
    query = QueueQuery(search="comment 01", sort="status")
    first, second = (
        feedback_queue.items_page(db, data.current, dataclasses.replace(query, page=n), size=40)
        for n in (1, 2)
    )
    assert (first.total, first.pages) == (100, 3)  # comment 0100 … 0199
    found = [r.answer for r in first.rows] + [r.answer for r in second.rows]
    assert found == [f"Comment {n:04d}" for n in range(100, 180)]
    assert first.by_status == {"new": 100}


def test_the_search_finds_letters_json_escapes(db: Session, data: Dataset) -> None:
    respond(db, data.current, {"why_comment": "Lisää esimerkkejä"})
    found = feedback_queue.items_page(db, data.current, QueueQuery(search="LISÄÄ"))
    assert [r.answer for r in found.rows] == ["Lisää esimerkkejä"]


def test_a_bulk_change_changes_exactly_the_selected_items_and_audits_them(
    db: Session, data: Dataset
) -> None:
    ids = add_comments(db, data.current, 100)
    chosen = ids[10:60]
    changed = feedback_changes.update_items(
        db, data.current, chosen, status="accepted", note="Goes in 0.11", actor=SETUP
    )
    assert changed == 50
    after = statuses(db)
    assert {i for i, s in after.items() if s == "accepted"} == set(chosen)
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "feedback_status"))
    assert event.detail == f"50 items → accepted: {', '.join(map(str, chosen))}"
    assert event.target == f"round {data.current.id}" and "Goes in" not in event.detail


def test_an_empty_note_keeps_each_items_own(db: Session, data: Dataset) -> None:
    ids = add_comments(db, data.current, 2)
    feedback_changes.update_items(db, data.current, ids, status="done", note="Own", actor=SETUP)
    feedback_changes.update_items(db, data.current, ids, status="accepted", actor=SETUP)
    notes = db.scalars(select(FeedbackItem.note).where(FeedbackItem.id.in_(ids)))
    assert set(notes) == {"Own"}


def test_ids_of_another_round_or_unknown_statuses_are_refused(db: Session, data: Dataset) -> None:
    ids = add_comments(db, data.current, 3)
    before = statuses(db)
    with pytest.raises(InvalidRequest):
        feedback_changes.update_items(db, data.previous, ids, status="done", actor=SETUP)
    with pytest.raises(InvalidRequest):
        feedback_changes.update_items(db, data.current, [*ids, 999999], status="done", actor=SETUP)
    with pytest.raises(InvalidRequest):
        feedback_changes.update_items(db, data.current, ids, status="ignored", actor=SETUP)
    with pytest.raises(InvalidRequest):
        feedback_changes.update_items(db, data.current, [], status="done", actor=SETUP)
    assert statuses(db) == before
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action == "feedback_status")).all()


def test_an_anonymous_round_neither_shows_nor_filters_by_group_or_language(
    db: Session, tmp_path: Path
) -> None:
    data = build(db, tmp_path, anonymous=True)
    add_comments(db, data.current, 0)  # brings in the dataset's two
    query = QueueQuery(group="g2", language="en")
    found = feedback_queue.items_page(db, data.current, query)
    assert found.total == 2
    assert {(r.group, r.language, r.country) for r in found.rows} == {(None, None, None)}
    assert [r.answer for r in found.rows] == ["=1+1", "Too long"], "by text, not by time"
    assert feedback_queue.filter_values(db, data.current) == ([], [])


@pytest.mark.parametrize("anonymous", [False, True])
def test_page_of_finds_the_page_that_lists_an_item(
    db: Session, tmp_path: Path, anonymous: bool
) -> None:
    """In an anonymous round the queue is ordered by text, not id: page_of follows it."""
    round_ = build(db, tmp_path, anonymous=anonymous).current
    ids = add_comments(db, round_, 40)
    for item_id in [*ids[::7], *ids[-2:]]:
        page = feedback_queue.page_of(db, round_, item_id, size=7)
        assert page is not None
        listed = feedback_queue.items_page(db, round_, QueueQuery(page=page), size=7)
        assert item_id in [r.id for r in listed.rows]
    assert feedback_queue.page_of(db, round_, 999_999, size=7) is None
