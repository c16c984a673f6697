"""Coordinators' round pages: the list, opening a round, the round page, close, reopen, invite."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import assert_by_account, fresh, workspace_token
from builders import respond_as as respond
from surveyapp.models import Invitation, Participant, Response, Round

Maker = Callable[..., Any]


@pytest.fixture
def editor(app: Flask, login: Maker) -> FlaskClient:
    other = app.test_client()
    login(other, "editor")
    return other


@pytest.fixture
def running(
    session: Session, make_round: Maker, make_participant: Maker, make_invitation: Maker
) -> Round:
    """A round with an open link; Aino has submitted, Cecilia not; Gustav is not invited."""
    round_ = make_round(open_link=True)
    respond(session, make_invitation(round_, make_participant(name="Aino")), "submitted")
    make_invitation(round_, make_participant(name="Cecilia"))
    make_participant(name="Gustav", group="validation-group")
    return round_


# --- the rounds list ---------------------------------------------------------------------------


def test_coordinators_get_the_new_round_button_and_editors_do_not(
    coordinator: FlaskClient, editor: FlaskClient
) -> None:
    assert 'href="/workspace/rounds/new"' in coordinator.get("/workspace/").get_data(as_text=True)
    assert 'href="/workspace/rounds/new"' not in editor.get("/workspace/").get_data(as_text=True)


# --- opening a round ---------------------------------------------------------------------------


def test_new_round_form_offers_the_registry_surveys_and_the_groups(
    coordinator: FlaskClient, make_participant: Maker
) -> None:
    make_participant(group="city-pilot")
    html = coordinator.get("/workspace/rounds/new").get_data(as_text=True)
    assert '<option value="manual-usability"' in html and '<option value="peer-review"' in html
    assert 'type="datetime-local"' in html and "UTC" in html
    assert 'name="groups" value="city-pilot"' in html
    assert "<legend>Groups to invite</legend>" in html


def test_opening_a_round_invites_the_groups_and_is_audited(
    coordinator: FlaskClient,
    session: Session,
    audit_events: Callable[..., Any],
    make_participant: Maker,
) -> None:
    make_participant(group="city-pilot")
    make_participant(group="city-pilot")
    make_participant(group="validation-group")
    token = workspace_token(coordinator, "/workspace/rounds/new")
    response = coordinator.post(
        "/workspace/rounds/new",
        data={
            "csrf_token": token,
            "survey": "manual-usability",
            "revision": " 0.4 ",
            "opens_at": "2030-03-01T09:00",
            "closes_at": "2030-03-31T17:30",
            "is_anonymous": "y",
            "open_link": "y",
            "groups": ["city-pilot"],
        },
    )
    assert response.status_code == 302
    round_ = fresh(session).scalars(select(Round)).one()
    assert response.headers["Location"] == f"/workspace/rounds/{round_.id}"
    assert (round_.survey_id, round_.revision) == ("manual-usability", "0.4")
    assert round_.is_anonymous and round_.open_link_token
    opens = round_.opens_at.replace(tzinfo=round_.opens_at.tzinfo or dt.UTC)
    assert opens == dt.datetime(2030, 3, 1, 9, 0, tzinfo=dt.UTC), "read as UTC"
    assert len(round_.invitations) == 2
    (event_,) = audit_events("round_opened")
    assert event_.target == f"round {round_.id}" and "2 invited" in event_.detail
    assert event_.detail.endswith("; anonymous; open link")
    assert_by_account(session, event_, "coordinator")
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Round {round_.id} is open; 2 participants invited." in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"revision": ""}, "revision", "Enter the manual revision, e.g. 0.3."),
        ({"opens_at": "next monday"}, "opens_at", "Enter a date and time such as"),
        (
            {"opens_at": "2030-03-02T09:00", "closes_at": "2030-03-01T09:00"},
            "closes_at",
            "The closing time must be after the opening time.",
        ),
        ({"revision": "0.4\x00"}, "revision", "Remove the control characters"),
        ({"survey": "no-such-survey"}, "survey", "Not a valid choice"),
        ({"groups": ["no-such-group"]}, "groups", "not a valid choice"),
    ],
)
def test_new_round_errors_are_shown_by_the_field_and_in_a_summary_with_input_kept(
    coordinator: FlaskClient,
    session: Session,
    data: dict[str, Any],
    field: str,
    message: str,
) -> None:
    form = {"survey": "manual-usability", "revision": "0.5<b>", "opens_at": "", "closes_at": ""}
    form.update(data, csrf_token=workspace_token(coordinator, "/workspace/rounds/new"))
    response = coordinator.post("/workspace/rounds/new", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html and f'href="#{field}"' in html
    assert f'id="{field}-error"' in html and message.lower() in html.lower()
    assert f'aria-describedby="{field}-hint {field}-error"' in html or field == "groups"
    if form["revision"] == "0.5<b>":
        assert 'value="0.5&lt;b&gt;"' in html, "typed input is kept, escaped"
    if form["opens_at"]:
        assert f'value="{form["opens_at"]}"' in html
    assert fresh(session).scalars(select(Round)).first() is None


# --- the round page ----------------------------------------------------------------------------


def test_the_open_link_is_shown_to_coordinators_only(
    coordinator: FlaskClient, editor: FlaskClient, running: Round
) -> None:
    url = f"/workspace/rounds/{running.id}"
    assert f"/o/{running.open_link_token}" in coordinator.get(url).get_data(as_text=True)
    page = editor.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Responses by group" in html
    assert running.open_link_token not in html
    assert "Close the round" not in html and "links.csv" not in html
    assert "non-respondents" not in html and "Invite more groups" not in html


def test_workspace_pages_are_not_cached(coordinator: FlaskClient, running: Round) -> None:
    response = coordinator.get(f"/workspace/rounds/{running.id}")
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unknown_round_is_a_plain_404(coordinator: FlaskClient) -> None:
    assert coordinator.get("/workspace/rounds/9999").status_code == 404
    assert coordinator.get("/workspace/rounds/9999/links.csv").status_code == 404


# --- close, reopen, invite ---------------------------------------------------------------------


def test_close_and_reopen_are_posts_that_keep_answers_and_are_audited(
    coordinator: FlaskClient, session: Session, audit_events: Callable[..., Any], running: Round
) -> None:
    url = f"/workspace/rounds/{running.id}"
    token = workspace_token(coordinator, url)
    assert coordinator.post(f"{url}/close", data={"csrf_token": token}).status_code == 302
    assert fresh(session).get_one(Round, running.id).status == "closed"
    html = coordinator.get(url).get_data(as_text=True)
    assert "Reopen the round" in html and "Every answer is kept" in html
    assert coordinator.post(f"{url}/reopen", data={"csrf_token": token}).status_code == 302
    assert fresh(session).get_one(Round, running.id).status == "open"
    assert len(fresh(session).scalars(select(Response)).all()) == 1, "no answer lost"
    found = [e for e in audit_events() if e.action.startswith("round_")]
    assert [e.action for e in found] == ["round_closed", "round_reopened"]
    for event_ in found:
        assert_by_account(session, event_, "coordinator")


def test_inviting_more_groups_adds_only_new_people(
    coordinator: FlaskClient,
    session: Session,
    audit_events: Callable[..., Any],
    running: Round,
    make_participant: Maker,
) -> None:
    make_participant(group="peer-cities")
    url = f"/workspace/rounds/{running.id}"
    token = workspace_token(coordinator, url)
    response = coordinator.post(
        f"{url}/invite", data={"csrf_token": token, "groups": ["validation-group", "peer-cities"]}
    )
    assert response.status_code == 302
    assert "2 participants invited." in coordinator.get(url).get_data(as_text=True)
    invited = fresh(session).scalars(
        select(Participant.name)
        .join(Invitation, Invitation.participant_id == Participant.id)
        .where(Invitation.round_id == running.id)
    )
    assert "Gustav" in set(invited)
    (event_,) = audit_events("participants_invited")
    assert "2 invited" in event_.detail
    assert_by_account(session, event_, "coordinator")


def test_inviting_without_a_group_is_an_error_on_the_round_page(
    coordinator: FlaskClient, running: Round
) -> None:
    url = f"/workspace/rounds/{running.id}"
    response = coordinator.post(f"{url}/invite", data={"csrf_token": workspace_token(coordinator)})
    assert response.status_code == 422
    assert "Choose at least one group." in response.get_data(as_text=True)
