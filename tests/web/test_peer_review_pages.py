"""The coordinator's peer review pages: list, create, parties and members with their links,
progress, agenda, notes (kept as typed when a form fails), actions, publish, re-run."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from peer_review_world import ReviewWorld, build_review, score_everything
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import csrf_token, fresh, workspace_token
from surveyapp.models import AuditEvent
from surveyapp.review_models import PeerReview, ReviewAction, ReviewNote
from surveyapp.services import peer_reviews


@pytest.fixture
def world(session: Session) -> ReviewWorld:
    return build_review(session)


def _url(world: ReviewWorld, tail: str = "") -> str:
    return f"/workspace/reviews/{world.review.id}{tail}"


def test_list_and_create_a_review(coordinator: FlaskClient, session: Session) -> None:
    page = coordinator.get("/workspace/reviews/")
    assert page.status_code == 200 and "New peer review" in page.get_data(as_text=True)
    form = coordinator.get("/workspace/reviews/new").get_data(as_text=True)
    assert "procurement-unit" in form and 'value="sv"' in form
    data = {
        "csrf_token": workspace_token(coordinator, "/workspace/reviews/new"),
        "title": "Peer review 2027", "host_name": "City of Tampere", "host_language": "fi",
        "criteria_set": "procurement-unit", "evaluation_start": "2027-05-10",
        "evaluation_end": "2027-05-11",
    }  # fmt: skip
    response = coordinator.post("/workspace/reviews/new", data=data)
    assert response.status_code == 303
    review = fresh(session).scalars(select(PeerReview)).one()
    assert review.host_language == "fi" and review.criteria["id"] == "procurement-unit"
    assert response.headers["Location"].endswith(f"/workspace/reviews/{review.id}")
    assert "Peer review 2027" in coordinator.get("/workspace/reviews/").get_data(as_text=True)


def test_a_failed_create_keeps_what_was_typed(coordinator: FlaskClient) -> None:
    data = {
        "csrf_token": workspace_token(coordinator, "/workspace/reviews/new"),
        "title": "Kept title", "host_name": "", "host_language": "fi",
        "criteria_set": "procurement-unit", "evaluation_start": "2027-05-11",
        "evaluation_end": "2027-05-10",
    }  # fmt: skip
    response = coordinator.post("/workspace/reviews/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Kept title"' in html and "There is a problem" in html
    assert "Enter the host organisation." in html and "cannot be before the first" in html


def test_parties_members_links_and_progress(
    coordinator: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    url = _url(world)
    token = workspace_token(coordinator, url)
    added = coordinator.post(
        url + "/parties",
        data={"csrf_token": token, "party-role": "peer", "party-name": "City of Ghent",
              "party-language": "en", "party-country": "BE"},
    )  # fmt: skip
    assert added.status_code == 303
    ghent = next(p for p in fresh(session).get(PeerReview, world.review.id).parties
                 if p.name == "City of Ghent")  # fmt: skip
    member = coordinator.post(
        url + "/members",
        data={"csrf_token": token, "member-party": str(ghent.id), "member-name": "An Peeters",
              "member-email": "an@ghent.example", "member-language": ""},
    )  # fmt: skip
    assert member.status_code == 303
    session.rollback()  # a write after the requests' writes begins afresh
    peer_reviews.save_assessment(
        session, world.host, world.first, level=2, evidence="Budget", actor=_setup()
    )
    session.commit()
    html = coordinator.get(url).get_data(as_text=True)
    assert "An Peeters" in html and "City of Ghent" in html
    assert f"/r/{world.peer_sv.token}" in html, "each member's personal link is shown"
    total = len(world.criteria.criteria)
    assert f"Progress: 1 of {total} criteria answered" in html
    assert f"Progress: 0 of {total} criteria answered" in html


def test_a_duplicate_party_is_refused_with_the_form_kept(
    coordinator: FlaskClient, world: ReviewWorld
) -> None:
    url = _url(world)
    response = coordinator.post(
        url + "/parties",
        data={"csrf_token": workspace_token(coordinator, url), "party-role": "peer",
              "party-name": "City of Malmö", "party-language": "sv"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "There is a problem" in response.get_data(as_text=True)


def _setup() -> Any:
    from builders import SETUP

    return SETUP


def test_agenda_draft_and_edit(
    coordinator: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    score_everything(session, world)
    url = _url(world, "/agenda")
    assert "Draft the agenda from the pre-report" in coordinator.get(url).get_data(as_text=True)
    token = workspace_token(coordinator, url)
    assert coordinator.post(url + "/draft", data={"csrf_token": token}).status_code == 303
    items = peer_reviews.agenda_items(fresh(session), world.review)
    assert len(items) == len(world.criteria.criteria)
    last = items[-1]
    response = coordinator.post(
        f"{url}/{last.id}",
        data={"csrf_token": token, f"item{last.id}-position": "1", f"item{last.id}-day": "2",
              f"item{last.id}-questions": "Who decides?", f"item{last.id}-interviewees": "CFO",
              f"item{last.id}-seen_position": str(last.position)},
    )  # fmt: skip
    assert response.status_code == 303
    moved = peer_reviews.agenda_item(fresh(session), world.review, last.id)
    assert (moved.position, moved.day, moved.questions, moved.interviewees) == (
        1, 2, "Who decides?", "CFO",
    )  # fmt: skip
    html = coordinator.get(url).get_data(as_text=True)
    assert "Who decides?" in html and f"/notes/{last.criterion_id}" in html


def _note_data(token: str, **values: str) -> dict[str, str]:
    data = {
        "csrf_token": token,
        "notes": "Long notes",
        "final_level": "3",
        "strengths": "Good data",
        "development_areas": "Training",
        "seen_version": "0",
    }
    data.update(values)
    return data


def test_notes_are_saved_with_a_final_level(
    coordinator: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    url = _url(world, f"/notes/{world.first}")
    page = coordinator.get(url).get_data(as_text=True)
    assert 'type="radio"' in page and 'name="final_level"' in page
    response = coordinator.post(url, data=_note_data(workspace_token(coordinator, url)))
    assert response.status_code == 303
    note = fresh(session).scalars(select(ReviewNote)).one()
    assert (note.final_level, note.strengths) == (3, "Good data")
    events = (
        fresh(session)
        .scalars(select(AuditEvent).where(AuditEvent.action == "review_note_saved"))
        .all()
    )
    assert len(events) == 1 and events[0].actor_email.startswith("coordinator")


def test_a_bad_level_keeps_every_field(coordinator: FlaskClient, world: ReviewWorld) -> None:
    url = _url(world, f"/notes/{world.first}")
    data = _note_data(workspace_token(coordinator, url), final_level="9", notes="Typed notes")
    response = coordinator.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Typed notes" in html and "Good data" in html and "Training" in html
    assert "There is a problem" in html


def test_a_stale_note_keeps_the_typed_text(
    coordinator: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    url = _url(world, f"/notes/{world.first}")
    token = workspace_token(coordinator, url)
    assert coordinator.post(url, data=_note_data(token)).status_code == 303
    data = _note_data(token, notes="My version", seen_version="0")
    response = coordinator.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "My version" in html and "Someone else saved these notes" in html
    assert 'name="seen_version" value="1"' in html, "saving again keeps the typed text"
    assert coordinator.post(url, data={**data, "seen_version": "1"}).status_code == 303
    assert fresh(session).scalars(select(ReviewNote)).one().notes == "My version"


def test_an_expired_form_token_keeps_the_notes(
    coordinator: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    url = _url(world, f"/notes/{world.first}")
    coordinator.get(url)
    data = _note_data(csrf_token(FlaskClient(coordinator.application), "/login"),
                      notes="Typed before expiry")  # fmt: skip
    response = coordinator.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Typed before expiry" in html and "session had expired" in html
    assert fresh(session).scalars(select(ReviewNote)).first() is None


def test_actions_add_edit_delete(
    coordinator: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    url = _url(world, "/summary")
    token = workspace_token(coordinator, url)
    data = {"csrf_token": token, "new-title": "Write a procurement strategy",
            "new-criterion": world.first, "new-owner": "Head of procurement",
            "new-due_on": "2028-01-31", "new-priority": "high"}  # fmt: skip
    assert coordinator.post(_url(world, "/actions"), data=data).status_code == 303
    action = fresh(session).scalars(select(ReviewAction)).one()
    assert (action.priority, action.criterion_id) == ("high", world.first)
    html = coordinator.get(url).get_data(as_text=True)
    assert "Write a procurement strategy" in html and "Head of procurement" in html
    prefix = f"action{action.id}"
    edit = {
        "csrf_token": token,
        f"{prefix}-title": "Adopt a strategy",
        f"{prefix}-criterion": "",
        f"{prefix}-owner": "CFO",
        f"{prefix}-due_on": "",
        f"{prefix}-priority": "low",
    }
    assert coordinator.post(_url(world, f"/actions/{action.id}"), data=edit).status_code == 303
    changed = fresh(session).get(ReviewAction, action.id)
    assert (changed.title, changed.criterion_id, changed.priority) == (
        "Adopt a strategy",
        None,
        "low",
    )
    bad = coordinator.post(
        _url(world, f"/actions/{action.id}"), data={**edit, f"{prefix}-title": ""}
    )
    assert bad.status_code == 422 and "Describe the action." in bad.get_data(as_text=True)
    deleted = coordinator.post(
        _url(world, f"/actions/{action.id}/delete"), data={"csrf_token": token}
    )
    assert deleted.status_code == 303
    assert fresh(session).scalars(select(ReviewAction)).first() is None


def test_publish_and_rerun(coordinator: FlaskClient, session: Session, world: ReviewWorld) -> None:
    score_everything(session, world)
    peer_reviews.add_action(session, world.review, title="Train buyers", actor=_setup())
    session.commit()
    url = _url(world, "/summary")
    token = workspace_token(coordinator, url)
    rerun_page = coordinator.get(_url(world, "/rerun")).get_data(as_text=True)
    assert "Publish the summary first" in rerun_page
    assert coordinator.post(_url(world, "/publish"), data={"csrf_token": token}).status_code == 303
    assert "Published" in coordinator.get(url).get_data(as_text=True)
    data = {"csrf_token": token, "criteria_set": "procurement-unit",
            "evaluation_start": "2029-05-14", "evaluation_end": "2029-05-15"}  # fmt: skip
    response = coordinator.post(_url(world, "/rerun"), data=data)
    assert response.status_code == 303
    later_id = int(re.search(r"/reviews/(\d+)$", response.headers["Location"]).group(1))
    later = fresh(session).get(PeerReview, later_id)
    assert later.previous_review_id == world.review.id
    html = coordinator.get(f"/workspace/reviews/{later_id}").get_data(as_text=True)
    assert "Eva Berg" in html and world.peer_sv.token not in html, "new links"
    assert "The re-run is started" in coordinator.get(_url(world, "/rerun")).get_data(as_text=True)


def test_pre_report_page(coordinator: FlaskClient, session: Session, world: ReviewWorld) -> None:
    score_everything(session, world)
    html = coordinator.get(_url(world, "/pre-report")).get_data(as_text=True)
    assert "Where the views differ most" in html and "Proposed interviews" in html
    assert "Question 0 from City of Malmö?" in html and "Head of procurement" in html
    criterion = world.criteria.criteria[0]
    assert criterion.text["fi"] in html, "in the host's language"
    swedish = coordinator.get(_url(world, "/pre-report?lang=sv")).get_data(as_text=True)
    assert criterion.text["sv"] in swedish


def test_links_csv_and_notes_index(
    coordinator: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    html = coordinator.get(_url(world)).get_data(as_text=True)
    assert f"/notes/{world.criteria.criteria[-1].id}" in html, "every criterion's notes page"
    response = coordinator.get(_url(world, "/links.csv"))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"/r/{world.peer_sv.token}" in text and "Eva Berg" in text
    events = (
        fresh(session)
        .scalars(select(AuditEvent).where(AuditEvent.action == "review_links_downloaded"))
        .all()
    )
    assert len(events) == 1 and world.peer_sv.token not in (events[0].detail or "")
