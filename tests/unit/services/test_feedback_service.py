"""Feedback triage on tests/analysis_dataset.py's data set.

Round 0.10's free-text question why_comment (chapter why) has "Too long" (en, g1), no answer,
"=1+1" (en, g2) in its submitted responses and "not submitted" in a draft.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_dataset import Dataset, build, respond
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.errors import InvalidRequest
from surveyapp.feedback.forms import STATUS_NAMES
from surveyapp.models import FEEDBACK_STATUSES, AuditEvent, FeedbackItem, Response, Round, User
from surveyapp.services import feedback, response_writes, users
from surveyapp.services.audit import Actor
from surveyapp.services.rounds import round_survey


@pytest.fixture
def data(db: Session, tmp_path: Path) -> Dataset:
    return build(db, tmp_path)


@pytest.fixture
def editor(db: Session) -> User:
    return users.add_user(
        db, "editor@partnership.example", "editor", "a long password here", actor=SETUP
    )


def items(db: Session, round_: Round) -> list[tuple[int, str, str]]:
    query = select(FeedbackItem.response_id, FeedbackItem.question_id, FeedbackItem.status)
    return sorted(tuple(r) for r in db.execute(query.where(FeedbackItem.round_id == round_.id)))


def round_by_revision(db: Session, revision: str) -> Round:
    query = select(Round).where(Round.survey_id == "analysis-test", Round.revision == revision)
    return db.scalars(query).one()


def test_every_status_has_a_translatable_name() -> None:
    assert set(STATUS_NAMES) == set(FEEDBACK_STATUSES)


def test_submitting_adds_the_free_text_answers_once(db: Session, data: Dataset) -> None:
    first, _no_comment, third = data.responses
    expected = [(first.id, "why_comment", "new"), (third.id, "why_comment", "new")]
    assert items(db, data.current) == expected  # no draft, no "role.other", no scale answer
    assert feedback.sync_feedback(db, data.current) == 0, "nothing is left to bring in"
    response_writes.submit_response(db, first, round_survey(data.current))  # resubmitted
    assert items(db, data.current) == expected


def test_submitting_skips_empty_answers(db: Session, data: Dataset) -> None:
    added = respond(db, data.current, {"why_comment": "More cases"})
    respond(db, data.current, {"why_comment": "   "})
    assert (added.id, "why_comment", "new") in items(db, data.current)
    assert len(items(db, data.current)) == 3


def test_bringing_in_adds_the_items_of_older_submissions_and_audits(
    db: Session, data: Dataset, editor: User
) -> None:
    """Rounds submitted before submitting added items: the editors bring them in once."""
    db.execute(delete(FeedbackItem))
    db.execute(update(Response).values(comments_pending=True))  # as migration 0008 left them
    actor = Actor.from_user(editor, "")
    assert feedback.bring_in_comments(db, data.current, actor=actor) == 2
    assert feedback.bring_in_comments(db, data.current, actor=actor) == 0
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "feedback_brought_in"))
    assert event.actor_id == editor.id and event.detail == "2 feedback items added"


def test_update_persists_with_the_user(db: Session, data: Dataset, editor: User) -> None:
    item = db.scalars(select(FeedbackItem)).first()
    assert item is not None
    feedback.update_item(
        db, item, "accepted", "  Shortened.  ", " 0.11 ", actor=Actor.from_user(editor, "")
    )
    db.commit()
    db.expire_all()
    assert (item.status, item.note, item.addressed_in_revision) == (
        "accepted",
        "Shortened.",
        "0.11",
    )
    assert item.updated_by_id == editor.id


def test_update_refuses_an_unknown_status(db: Session, data: Dataset, editor: User) -> None:
    item = db.scalars(select(FeedbackItem)).first()
    assert item is not None
    with pytest.raises(InvalidRequest):
        feedback.update_item(db, item, "ignored", "", None, actor=Actor.from_user(editor, ""))
    assert item.status == "new"


def test_list_items_shows_the_answer_in_context(db: Session, data: Dataset) -> None:
    rows = feedback.list_items(db, data.current, lang="fi")
    assert [(r.answer, r.language, r.group) for r in rows] == [
        ("Too long", "en", "g1"),
        ("=1+1", "en", "g2"),
    ]
    first = rows[0]
    assert (first.chapter, first.section, first.question) == (
        "why",
        "Miksi",
        "Mitä pitäisi muuttaa?",
    )
    assert (first.status, first.note, first.revision) == ("new", "", None)


def test_list_items_filters_by_status_and_chapter(db: Session, data: Dataset, editor: User) -> None:
    rows = feedback.list_items(db, data.current)
    item = db.get(FeedbackItem, rows[1].id)
    assert item is not None
    feedback.update_item(db, item, "rejected", "", None, actor=Actor.from_user(editor, ""))
    assert [r.answer for r in feedback.list_items(db, data.current, status="rejected")] == ["=1+1"]
    assert [r.answer for r in feedback.list_items(db, data.current, status="new")] == ["Too long"]
    assert len(feedback.list_items(db, data.current, chapter="why")) == 2
    assert feedback.list_items(db, data.current, chapter="how") == []


def test_anonymous_rounds_tie_no_item_to_a_group(db: Session, tmp_path: Path) -> None:
    data = build(db, tmp_path, anonymous=True)
    assert items(db, data.current) == [], "submits add none: their ids would follow the submits"
    feedback.bring_in_comments(db, data.current, actor=SETUP)
    rows = feedback.list_items(db, data.current)
    assert len(rows) == 2
    assert all(r.group is None for r in rows)


def test_you_said_we_did_reports_the_previous_revisions_round(
    db: Session, data: Dataset, editor: User
) -> None:
    for row in feedback.list_items(db, data.current):
        item = db.get(FeedbackItem, row.id)
        assert item is not None
        feedback.update_item(
            db, item, "done", f"Handled {row.answer}", "0.11", actor=Actor.from_user(editor, "")
        )
    report = feedback.you_said_we_did(db, "analysis-test", "0.11")
    assert report is not None
    assert report.round.id == data.current.id  # 0.10, not the decoy of another survey
    [(chapter, rows)] = report.chapters
    assert chapter == "why"
    assert [(r.answer, r.status, r.note, r.revision) for r in rows] == [
        ("Too long", "done", "Handled Too long", "0.11"),
        ("=1+1", "done", "Handled =1+1", "0.11"),
    ]


def test_you_said_we_did_syncs_the_previous_round_first(db: Session, data: Dataset) -> None:
    respond(db, data.previous, {"why_comment": "Add a glossary"})
    report = feedback.you_said_we_did(db, "analysis-test", "0.10")
    assert report is not None
    assert report.round.id == data.previous.id
    assert [r.answer for _chapter, rows in report.chapters for r in rows] == ["Add a glossary"]


def test_you_said_we_did_is_none_without_an_earlier_round(db: Session, data: Dataset) -> None:
    assert feedback.you_said_we_did(db, "analysis-test", "0.9") is None
    assert round_by_revision(db, "0.9").id == data.previous.id


def test_sync_skips_items_added_meanwhile(db: Session, data: Dataset) -> None:
    first = data.responses[0]
    db.execute(delete(FeedbackItem))  # as if submitted before submitting added items
    # As if another editor had brought them in between our look and our insert.
    db.add(FeedbackItem(round_id=data.current.id, response_id=first.id, question_id="why_comment"))
    db.flush()
    rows = [
        {"round_id": data.current.id, "response_id": first.id, "question_id": "why_comment"},
        {
            "round_id": data.current.id,
            "response_id": data.responses[2].id,
            "question_id": "why_comment",
        },
    ]
    db.execute(feedback._insert_skipping_existing(db), rows)
    assert len(items(db, data.current)) == 2


def pending(db: Session, response: Response) -> bool:
    db.expire_all()
    return db.scalars(select(Response.comments_pending).where(Response.id == response.id)).one()


def test_a_named_rounds_submit_leaves_no_comment_waiting(db: Session, data: Dataset) -> None:
    assert not any(pending(db, r) for r in data.responses)
    assert feedback.comments_waiting(db, data.current) == 0


def test_an_anonymous_rounds_comments_wait_until_brought_in_and_again_when_resubmitted(
    db: Session, tmp_path: Path
) -> None:
    data = build(db, tmp_path, anonymous=True)
    assert all(pending(db, r) for r in data.responses)
    assert feedback.comments_waiting(db, data.current) == 2
    assert feedback.bring_in_comments(db, data.current, actor=SETUP) == 2
    assert not any(pending(db, r) for r in data.responses)
    assert feedback.comments_waiting(db, data.current) == 0

    commented = set(db.scalars(select(FeedbackItem.response_id)))
    again = next(r for r in data.responses if r.id not in commented)
    response_writes.write_answers(db, again, {"why_comment": "One more thought"})
    response_writes.submit_response(db, again, round_survey(data.current))
    assert pending(db, again)
    assert feedback.comments_waiting(db, data.current) == 1
