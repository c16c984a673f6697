"""The workspace's "Forget this person" action, and a purged round on the round page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from privacy_world import AINO, BRUNO, World, build_world, database_rows, traces
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP, fresh, workspace_token
from surveyapp.models import AuditEvent, Invitation, Participant, Round
from surveyapp.services import privacy

Maker = Callable[..., Any]


@pytest.fixture
def world(
    session: Session, make_round: Maker, make_participant: Maker, make_invitation: Maker
) -> World:
    return build_world(session, make_round, make_participant, make_invitation)


def forget_url(world: World) -> str:
    return f"/workspace/participants/{world.aino.id}/forget"


def test_the_edit_page_offers_to_forget_the_person(coordinator: FlaskClient, world: World) -> None:
    html = coordinator.get(f"/workspace/participants/{world.aino.id}/edit").get_data(as_text=True)
    assert f'href="{forget_url(world)}"' in html
    assert ">Forget this person</a>" in html


def test_the_confirmation_page_says_what_goes_and_changes_nothing(
    coordinator: FlaskClient, session: Session, world: World
) -> None:
    rows = database_rows(session)
    response = coordinator.get(forget_url(world))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Forget Aino Virtanen ({AINO['email']}) on their request?" in html
    assert "3 invitations and their personal links" in html
    assert "2 responses with their answers" in html
    assert "1 mail record<" in html
    assert "1 response given in an anonymous round stays for the results" in html
    assert f'<form method="post" action="{forget_url(world)}">' in html
    assert database_rows(session) == rows


def test_forgetting_from_the_workspace_erases_the_person_and_their_links(
    coordinator: FlaskClient, session: Session, world: World, app: Flask
) -> None:
    respondent = app.test_client()
    aino_id = world.aino.id
    tokens = list(
        session.scalars(select(Invitation.token).where(Invitation.participant_id == aino_id))
    )
    assert respondent.get(f"/s/{tokens[0]}").status_code == 200, "her link works before"
    url = forget_url(world)
    result = coordinator.post(url, data={"csrf_token": workspace_token(coordinator, url)})
    assert result.status_code == 302 and result.headers["Location"] == "/workspace/participants"
    assert traces(session, AINO) == []
    assert traces(session, BRUNO)
    assert all(respondent.get(f"/s/{token}").status_code == 404 for token in tokens)
    (event,) = fresh(session).scalars(
        select(AuditEvent).where(AuditEvent.action == "participant_forgotten")
    )
    assert event.target == f"participant {aino_id}" and event.actor_email.startswith("coordinator")
    assert event.address == "127.0.0.1"
    page = coordinator.get("/workspace/participants").get_data(as_text=True)
    assert "The person is forgotten" in page


def test_forgetting_without_the_form_token_does_nothing(
    coordinator: FlaskClient, session: Session, world: World
) -> None:
    aino_id = world.aino.id
    response = coordinator.post(forget_url(world), data={})
    assert response.status_code == 400
    assert fresh(session).get(Participant, aino_id) is not None


def test_editors_cannot_forget_anyone(
    client: FlaskClient, login: Maker, session: Session, world: World
) -> None:
    login(client, "editor")
    aino_id = world.aino.id
    url = forget_url(world)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"csrf_token": workspace_token(client)}).status_code == 403
    assert fresh(session).get(Participant, aino_id) is not None


def test_an_unknown_participant_is_a_404(coordinator: FlaskClient) -> None:
    assert coordinator.get("/workspace/participants/999/forget").status_code == 404


def test_the_round_page_says_when_retention_deleted_personal_data(
    coordinator: FlaskClient, session: Session, world: World
) -> None:
    url = f"/workspace/rounds/{world.named.id}"
    assert "Personal data deleted" not in coordinator.get(url).get_data(as_text=True)
    round_ = fresh(session).get_one(Round, world.named.id)
    round_.status, round_.closed_at = "closed", dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    session.commit()
    privacy.apply_retention(session, 30, dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC), actor=SETUP)
    session.commit()
    html = coordinator.get(url).get_data(as_text=True)
    assert "<dt>Personal data deleted</dt><dd>2026-03-01 08:30 UTC" in html
    assert "<dt>Kept, linked to no one</dt>" in html
