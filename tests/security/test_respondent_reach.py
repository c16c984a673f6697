"""Someone holding a personal link (or an open link's response) reaches no workspace page and
changes nothing there, even with a valid form token of their own session. Generated from the
URL map, so a new workspace route is included by itself.

The full role x endpoint matrix (anonymous, respondent, editor, coordinator) and the missing
or wrong CSRF token on every POST are in tests/web/test_access.py; see README.md here."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from security_kit import invite, route_url
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from builders import SETUP, TEST_SURVEYS, csrf_token, fresh, post_page
from surveyapp import create_app
from surveyapp.auth.access import PUBLIC_BLUEPRINTS, PUBLIC_ENDPOINTS
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import AuditEvent, Participant, Round
from surveyapp.services import rounds


def _workspace_routes() -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) of every route that is not public, read from the URL map."""
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    found = [
        (method, rule.rule, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS
        and rule.endpoint.split(".")[0] not in PUBLIC_BLUEPRINTS
        for method in sorted((rule.methods or set()) & {"GET", "POST"})
    ]
    app.extensions["engine"].dispose()
    return found


ROUTES = _workspace_routes()


def test_the_routes_were_read() -> None:
    rules = {rule for _method, rule, _endpoint in ROUTES}
    assert "/workspace/" in rules and "/workspace/participants/import" in rules
    assert all(not rule.startswith(("/s/", "/o/")) for rule in rules)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("kind", ["personal link", "open link"])
def test_a_respondent_reaches_no_workspace_page(
    app: Flask, client: FlaskClient, session: Session, method: str, kind: str
) -> None:
    round_ = rounds.open_round(
        session, SurveyRegistry(TEST_SURVEYS), "respond-test", "0.3", open_link=True, actor=SETUP
    )
    invitation = invite(session, round_)
    session.commit()
    if kind == "personal link":
        base = f"/s/{invitation.token}"
    else:
        opened = f"/o/{round_.open_link_token}"
        started = client.post(opened, data={"csrf_token": csrf_token(client, opened)})
        base = started.headers["Location"].rsplit("/p/", 1)[0]
    assert post_page(client, f"{base}/p/about", {"role": "officer"}).status_code == 302
    form_token = csrf_token(client, f"{base}/p/about")  # valid in this session
    before = snapshot(session)
    values = {"round_id": round_.id, "participant_id": invitation.participant_id}
    values["kind"] = "reminder"
    reached = []
    for route_method, rule, endpoint in ROUTES:
        if route_method != method:
            continue
        arguments = re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule)
        url = route_url(app, endpoint, {name: values.get(name, 1) for name in arguments})
        if method == "GET":
            response = client.get(url)
        else:
            data = {"csrf_token": form_token, "groups": "validation-group", "status": "done"}
            response = client.post(url, data=data)
        location = response.headers.get("Location", "")
        if endpoint.startswith("api."):
            # The read API takes a bearer token, never a session: 401 (its description is
            # public, and says nothing about any round).
            if endpoint != "api.openapi" and response.status_code != 401:
                reached.append(f"{method} {url}: {response.status_code}")
            continue
        if response.status_code != 302 or not location.startswith("/login?next="):
            reached.append(f"{method} {url}: {response.status_code} {location}")
    assert not reached, "a respondent got past the login: " + "; ".join(reached)
    assert snapshot(session) == before, "nothing changed"


def snapshot(session: Session) -> tuple[int, int, list[str]]:
    db = fresh(session)
    events = db.scalar(select(func.count()).select_from(AuditEvent)) or 0
    people = db.scalar(select(func.count()).select_from(Participant)) or 0
    return events, people, list(db.scalars(select(Round.status).order_by(Round.id)))
