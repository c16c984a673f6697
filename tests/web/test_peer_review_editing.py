"""Review findings on the coordinator's pages: notes posted after the login expired, agenda
items edited over a newer edit or after the agenda was drafted again, drafting again only
when confirmed, one limit for an action's title, refusals kept as typed, the re-run's
carried-over actions, and languages named in the selects."""

from __future__ import annotations

import datetime as dt
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from peer_review_world import ROOT, ReviewWorld, build_review, score_everything
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP, fresh, workspace_token
from surveyapp.review.agenda_views import item_fingerprint
from surveyapp.review_models import PeerReview, ReviewAction, ReviewAgendaItem, ReviewNote
from surveyapp.services import peer_reviews


@pytest.fixture
def world(session: Session) -> ReviewWorld:
    return build_review(session)


def _url(review: PeerReview, tail: str = "") -> str:
    return f"/workspace/reviews/{review.id}{tail}"


def test_notes_posted_after_the_login_expired_are_shown_to_copy(
    client: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    url = _url(world.review, f"/notes/{world.first}")
    data = {"csrf_token": "expired", "notes": "Overnight notes", "strengths": "Kept strengths",
            "development_areas": "", "final_level": "3", "seen_version": "0"}  # fmt: skip
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Overnight notes" in html and "Kept strengths" in html and "log in again" in html
    assert "/login?next=" in html
    for other in ("Peer review 2027", "City of Malmö", "Eva Berg", world.host.token):
        assert other not in html, "nothing of the review but what was posted"
    assert fresh(session).scalars(select(ReviewNote)).first() is None


def _drafted(coordinator: FlaskClient, session: Session, world: ReviewWorld) -> list[Any]:
    score_everything(session, world)
    url = _url(world.review, "/agenda")
    token = workspace_token(coordinator, url)
    assert coordinator.post(url + "/draft", data={"csrf_token": token}).status_code == 303
    return peer_reviews.agenda_items(fresh(session), world.review)


def _item_data(token: str, item: ReviewAgendaItem, **values: str) -> dict[str, str]:
    key = f"item{item.id}"
    data = {"csrf_token": token, f"{key}-position": str(item.position), f"{key}-day": "1",
            f"{key}-questions": "Typed questions", f"{key}-interviewees": "Typed people",
            f"{key}-seen_position": str(item.position)}  # fmt: skip
    data[f"{key}-seen"] = item_fingerprint(item)
    data.update({f"{key}-{name}": value for name, value in values.items()})
    return data


def test_an_agenda_item_moves_only_when_its_position_was_changed(
    coordinator: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    items = _drafted(coordinator, session, world)
    url = _url(world.review, "/agenda")
    token = workspace_token(coordinator, url)
    first, second = items[0], items[1]
    seen = _item_data(token, second)  # the page as opened: the second item at 2
    peer_reviews.move(session, first, by=1, actor=SETUP)  # meanwhile: the first moves down
    session.commit()
    assert coordinator.post(f"{url}/{second.id}", data=seen).status_code == 303
    kept = peer_reviews.agenda_item(fresh(session), world.review, second.id)
    assert (kept.position, kept.questions) == (1, "Typed questions"), "not moved back"


def test_an_edit_over_a_newer_one_keeps_both(
    coordinator: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    item = _drafted(coordinator, session, world)[0]
    url = _url(world.review, "/agenda")
    token = workspace_token(coordinator, url)
    seen = _item_data(token, item, questions="Mine")
    peer_reviews.update_agenda_item(
        session, item, day=2, questions="Theirs", interviewees="", actor=SETUP
    )
    session.commit()
    response = coordinator.post(f"{url}/{item.id}", data=seen)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Mine" in html and "Theirs" in html and "Someone changed this item" in html
    assert peer_reviews.agenda_item(fresh(session), world.review, item.id).questions == "Theirs"


def test_drafting_again_asks_first_and_a_gone_item_keeps_the_typed_text(
    coordinator: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    items = _drafted(coordinator, session, world)
    url = _url(world.review, "/agenda")
    token = workspace_token(coordinator, url)
    asked = coordinator.post(url + "/draft", data={"csrf_token": token})
    assert asked.status_code == 200 and "Draft the agenda again?" in asked.get_data(as_text=True)
    ids = [i.id for i in peer_reviews.agenda_items(fresh(session), world.review)]
    assert ids == [i.id for i in items], "nothing replaced before the confirmation"
    first = items[0]
    peer_reviews.update_agenda_item(
        session, first, day=1, questions="Edited", interviewees="", actor=SETUP
    )
    session.commit()
    typed, first_id = _item_data(token, first), first.id  # a page opened before drafting again
    again = coordinator.post(url + "/draft", data={"csrf_token": token, "confirm": "1"})
    assert again.status_code == 303
    gone = coordinator.post(f"{url}/{first_id}", data=typed)
    html = gone.get_data(as_text=True)
    assert gone.status_code == 409 and "Typed questions" in html
    # PostgreSQL never reuses the id; SQLite may give it to a new item, which is not ours.
    assert "no longer on the agenda" in html or "Someone changed this item" in html
    missing = max(i.id for i in peer_reviews.agenda_items(fresh(session), world.review)) + 1
    typed = {k.replace(f"item{first_id}-", f"item{missing}-"): v for k, v in typed.items()}
    gone = coordinator.post(f"{url}/{missing}", data=typed)
    assert gone.status_code == 409 and "no longer on the agenda" in gone.get_data(as_text=True)


def test_an_action_title_has_one_limit_and_refusals_keep_the_text(
    coordinator: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    url = _url(world.review, "/summary")
    token = workspace_token(coordinator, url)
    long_title = "T" * 1001
    data = {"csrf_token": token, "new-title": long_title, "new-criterion": "",
            "new-owner": "", "new-due_on": "", "new-priority": "high"}  # fmt: skip
    too_long = coordinator.post(_url(world.review, "/actions"), data=data)
    assert too_long.status_code == 422 and long_title in too_long.get_data(as_text=True)
    assert fresh(session).scalars(select(ReviewAction)).first() is None
    peer_reviews.publish(session, world.review, actor=SETUP)
    session.commit()
    data["new-title"] = "Kept after publication"
    refused = coordinator.post(_url(world.review, "/actions"), data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Kept after publication" in html
    assert "published" in html and fresh(session).scalars(select(ReviewAction)).first() is None


def test_a_rerun_carries_over_the_unfinished_earlier_actions(
    coordinator: FlaskClient, session: Session, world: ReviewWorld
) -> None:
    score_everything(session, world)
    unfinished = peer_reviews.add_action(
        session, world.review, title="Train buyers", owner="HR", priority="high", actor=SETUP
    )
    peer_reviews.add_action(session, world.review, title="Finished one", actor=SETUP)
    peer_reviews.publish(session, world.review, actor=SETUP)
    later = peer_reviews.start_rerun(
        session, world.review, criteria=world.criteria, evaluation_start=dt.date(2029, 5, 14),
        evaluation_end=dt.date(2029, 5, 15), actor=SETUP,
    ).review  # fmt: skip
    session.commit()
    unanswered = coordinator.get(_url(later, "/summary?lang=en")).get_data(as_text=True)
    assert "No answer yet" in unanswered and "Not started" not in unanswered
    assert "/actions/carry/" not in unanswered, "only what the host called unfinished"
    host = next(p for p in later.parties if p.role == "host").members[0]
    for row in peer_reviews.follow_ups(session, later):
        status = "in_progress" if row.action_id == unfinished.id else "done"
        peer_reviews.save_follow_up(
            session, host, row.action_id, status=status, explanation="", actor=SETUP
        )
    session.commit()
    page = coordinator.get(_url(later, "/summary?lang=en")).get_data(as_text=True)
    assert "Carry over" in page and f"/actions/carry/{unfinished.id}" in page
    assert "Finished one" not in page.split('id="carry-actions"')[1].split('id="new-action"')[0]
    key = f"carry{unfinished.id}"
    assert f'name="{key}-title"' in page and "Train buyers" in page, "prefilled"
    token = workspace_token(coordinator, _url(later, "/summary"))
    data = {"csrf_token": token, f"{key}-title": "Train buyers, again", f"{key}-criterion": "",
            f"{key}-owner": "HR", f"{key}-due_on": "2030-01-31"}  # fmt: skip
    data[f"{key}-priority"] = "high"
    carried = coordinator.post(_url(later, f"/actions/carry/{unfinished.id}"), data=data)
    assert carried.status_code == 303
    action = (
        fresh(session).scalars(select(ReviewAction).where(ReviewAction.review_id == later.id)).one()
    )
    assert (action.title, action.carried_from_id) == ("Train buyers, again", unfinished.id)
    again = coordinator.get(_url(later, "/summary")).get_data(as_text=True)
    assert f"/actions/carry/{unfinished.id}" not in again, "offered once"
    twice = coordinator.post(_url(later, f"/actions/carry/{unfinished.id}"), data=data)
    assert twice.status_code == 404


def test_language_selects_show_names(coordinator: FlaskClient, world: ReviewWorld) -> None:
    new = coordinator.get("/workspace/reviews/new").get_data(as_text=True)
    assert '<option value="fi">suomi</option>' in new
    detail = coordinator.get(_url(world.review)).get_data(as_text=True)
    assert '<option value="sv">svenska</option>' in detail and ">sv</option>" not in detail


def test_starting_a_rerun_names_the_criteria_left_unmapped(
    app: Flask, coordinator: FlaskClient, session: Session, world: ReviewWorld, tmp_path: Path
) -> None:
    data = yaml.safe_load((ROOT / "criteria" / "procurement-unit.yaml").read_text())
    dropped = data["criteria"].pop(0)  # the newer set no longer has the first criterion
    data["id"] = "procurement-unit-2"
    (tmp_path / "procurement-unit-2.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    (tmp_path / "procurement-unit.yaml").write_text(
        (ROOT / "criteria" / "procurement-unit.yaml").read_text()
    )
    app.config["CRITERIA_DIR"] = str(tmp_path)
    app.extensions.pop("criteria", None)
    peer_reviews.publish(session, world.review, actor=SETUP)
    session.commit()
    url = _url(world.review, "/rerun")
    form = {"csrf_token": workspace_token(coordinator, url), "criteria_set": "procurement-unit-2",
            "evaluation_start": "2029-05-14", "evaluation_end": "2029-05-15"}  # fmt: skip
    started = coordinator.post(url + "?lang=en", data=form, follow_redirects=True)
    html = unescape(started.get_data(as_text=True))
    assert "The re-run is started" in html
    assert "Earlier criteria no new criterion carries on" in html
    assert dropped["text"]["fi"][:60] in html, "named by its text, not its id"
