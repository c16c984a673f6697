"""Who may reach what: a role-by-endpoint matrix and CSRF on every POST, both generated from the
URL map, so that a new route cannot escape them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from peer_review_world import build_review
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from builders import csrf_token, workspace_token
from surveyapp import create_app
from surveyapp.auth.access import PUBLIC_BLUEPRINTS, PUBLIC_ENDPOINTS
from surveyapp.models import AuditEvent, Invitation, Participant, Round
from surveyapp.review_models import PeerReview, ReviewMember

ROLES = ("anonymous", "respondent", "editor", "coordinator")
# Endpoints that must be in the matrix: if one is renamed, this list says so.
KNOWN_WORKSPACE = {
    "coordinate.home",
    "coordinate.audit_log",
    "coordinate.new_round",
    "coordinate.round_detail",
    "coordinate.close_round",
    "coordinate.reopen_round",
    "coordinate.invite_groups",
    "coordinate.links_csv",
    "coordinate.non_respondents",
    "coordinate.non_respondents_csv",
    "coordinate.participants",
    "coordinate.edit_participant",
    "coordinate.delete_participant",
    "coordinate.import_participants",
    "review.reviews",
    "review.new_review",
    "review.review_detail",
    "review.pre_report_page",
    "review.agenda",
    "review.notes",
    "review.summary",
    "review.rerun",
}

# Editors read results, never lists of people or links: each page open to them is named here.
EDITOR_PAGES = {
    "coordinate.home",
    "coordinate.round_detail",
    "results.dashboard",
    "results.download",
    "results.export_job",
    "results.export_file",
    "results.report_pdf",  # the printable report: the dashboard's figures as a PDF
    "feedback.triage",
    "feedback.show_item",  # a redirect to the triage page that lists the item
    "feedback.you_said_we_did",
    "feedback.you_said_we_did_csv",
    "feedback.import_form",
    "feedback.report_draft",  # the draft of the public report: no comment's text
}
# The only state changes open to editors: triaging feedback is their work, not coordinators'.
# Starting an export changes no answers; it only builds the file editors download.
# Triage from Excel: the upload (a preview, nothing saved) and its confirmation.
EDITOR_ACTIONS = {
    "feedback.bulk_update",
    "feedback.mark_duplicate",
    "feedback.bring_in",
    "results.start_export",
}
EDITOR_ACTIONS |= {"feedback.import_preview", "feedback.import_apply"}
# The editors' notes in the survey's other languages (publishing is the coordinators').
EDITOR_ACTIONS |= {"feedback.report_notes"}


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    method: str
    arguments: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def _routes() -> list[Route]:
    """Every (rule, GET/POST) of an app built only to read its URL map."""
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    routes = [
        Route(rule.endpoint, rule.rule, method, tuple(sorted(rule.arguments)))
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) & {"GET", "POST"})
    ]
    app.extensions["engine"].dispose()
    return routes


def is_public(endpoint: str) -> bool:
    blueprint = endpoint.split(".", 1)[0] if "." in endpoint else None
    return endpoint in PUBLIC_ENDPOINTS or blueprint in PUBLIC_BLUEPRINTS


ROUTES = _routes()
# The read API (/api/v1/) takes a bearer token, never a session: tests/api/test_api_auth.py.
PROTECTED = [r for r in ROUTES if not is_public(r.endpoint) and not r.endpoint.startswith("api.")]
POSTS = [r for r in ROUTES if r.method == "POST"]


@dataclass
class World:
    """One of everything a URL can name."""

    round: Round
    participant: Participant
    invitation: Invitation
    review: PeerReview
    reviewer: ReviewMember

    def url(self, app: Flask, route: Route) -> str:
        values = {name: self.value(route, name) for name in route.arguments}
        with app.test_request_context():
            return url_for(route.endpoint, **values)

    def value(self, route: Route, name: str) -> Any:
        known = {
            "round_id": self.round.id,
            "participant_id": self.participant.id,
            "batch_id": 1,
            "item_id": 1,
            "job_id": 1,
            "kind": "reminder",
            "section_id": "about",
            "survey_id": "respond-test",
            "filename": "css/app.css",
            "token": self._token(route),
            "review_id": self.review.id,
            "criterion_id": "influence",
            "action_id": 1,
            "agenda_item_id": 1,
            "earlier_id": 1,
            "chapter_id": "why",
        }
        assert name in known, f"add a dummy value for <{name}> of {route} to this test"
        return known[name]

    def _token(self, route: Route) -> str:
        if route.rule.startswith("/o/"):
            return self.round.open_link_token  # type: ignore[return-value]
        if route.rule.startswith("/r/"):
            return self.reviewer.token
        return self.invitation.token


@pytest.fixture
def world(
    make_round: Callable[..., Round],
    make_participant: Callable[..., Participant],
    make_invitation: Callable[..., Invitation],
    session: Session,
) -> World:
    round_ = make_round(open_link=True)
    person = make_participant()
    reviews = build_review(session)
    invitation = make_invitation(round_, person)
    return World(round_, person, invitation, reviews.review, reviews.peer_sv)


@pytest.fixture
def as_role(
    app: Flask, login: Callable[..., Any], world: World
) -> Iterator[Callable[[str], FlaskClient]]:
    def make(role: str) -> FlaskClient:
        client = app.test_client()
        if role == "respondent":
            assert client.get(f"/s/{world.invitation.token}").status_code == 200
        elif role in ("editor", "coordinator"):
            login(client, role)
        return client

    yield make


def send(client: FlaskClient, route: Route, url: str, token: str | None) -> Any:
    if route.method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token} if token else {})


def goes_to_login(response: Any) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- the matrix is complete --------------------------------------------------------------------


def test_the_matrix_covers_every_workspace_route() -> None:
    tested = {r.endpoint for r in PROTECTED}
    assert tested, "no protected route found: the URL map was not read"
    assert tested >= KNOWN_WORKSPACE
    assert {r.endpoint for r in ROUTES if r.rule.startswith("/workspace")} <= tested
    assert {r.endpoint for r in PROTECTED if r.method == "POST"}, "state-changing routes exist"


@pytest.mark.parametrize("route", PROTECTED, ids=str)
def test_every_protected_view_declares_its_role(app: Flask, route: Route) -> None:
    view = app.view_functions[route.endpoint]
    assert getattr(view, "required_role", None) in ("editor", "coordinator"), route.endpoint


def test_editors_may_only_read_the_pages_meant_for_them(app: Flask) -> None:
    for route in PROTECTED:
        role = app.view_functions[route.endpoint].required_role
        if role == "editor":
            if route.endpoint in EDITOR_ACTIONS:
                assert route.method == "POST", f"{route} is an editors' action, not a page"
                continue
            assert route.method == "GET", f"{route} changes state but is open to editors"
            assert route.endpoint in EDITOR_PAGES, f"{route} is open to editors: is that meant?"


# --- role by endpoint ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", PROTECTED, ids=str)
def test_role_matrix(
    app: Flask, world: World, as_role: Callable[[str], FlaskClient], route: Route, role: str
) -> None:
    client = as_role(role)
    token = csrf_token(client, "/login") if role in ("anonymous", "respondent") else None
    token = token or workspace_token(client)
    response = send(client, route, world.url(app, route), token)
    required = app.view_functions[route.endpoint].required_role
    if role in ("anonymous", "respondent"):
        assert goes_to_login(response), f"{role} reached {route}: {response.status_code}"
    elif role == "editor" and required == "coordinator":
        assert response.status_code == 403, f"an editor reached {route}"
    else:
        assert response.status_code != 403 and not goes_to_login(response), route
        assert response.status_code < 500


# --- CSRF on every POST ------------------------------------------------------------------------


@pytest.mark.parametrize("token_kind", ["missing", "from another session"])
@pytest.mark.parametrize("route", POSTS, ids=str)
def test_every_post_refuses_a_missing_or_wrong_csrf_token(
    app: Flask,
    session: Session,
    world: World,
    as_role: Callable[[str], FlaskClient],
    route: Route,
    token_kind: str,
) -> None:
    client = as_role("coordinator")
    token = None if token_kind == "missing" else csrf_token(app.test_client(), "/login")
    events_before = _audit_count(session)
    response = send(client, route, world.url(app, route), token)
    assert response.status_code == 400, f"{route} accepted a {token_kind} token"
    assert _audit_count(session) == events_before, "nothing was done"
    assert client.get("/workspace/").status_code == 200, "and the coordinator is still in"


def _audit_count(session: Session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0
