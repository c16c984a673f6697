"""The read API's door: bearer tokens, roles, no cookies, rate limits and the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from api_world import ApiClient
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP, fresh
from surveyapp.api.auth import token_required
from surveyapp.models import ApiToken
from surveyapp.services import api_tokens

Maker = Callable[..., Any]


def api_rules(app: Flask) -> list[str]:
    """Every GET rule of the API that needs a token, with a round id filled in."""
    return [
        rule.rule.replace("<id:round_id>", "1")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
    ]


def assert_unauthorized(response: Any) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.is_json and set(response.get_json()) == {"error"}
    assert response.headers["Cache-Control"] == "no-store"


def test_every_api_endpoint_declares_a_role_and_refuses_a_call_without_a_token(
    app: Flask, client: FlaskClient
) -> None:
    rules = api_rules(app)
    assert len(rules) == 4
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("api.") and endpoint != "api.openapi":
            assert getattr(view, "required_role", None) == "editor", endpoint
    for path in rules:
        assert_unauthorized(client.get(path))


def test_a_valid_token_reads_and_no_cookie_is_read_or_set(
    api: ApiClient, client: FlaskClient, login: Maker
) -> None:
    login(client, "coordinator")  # a workspace session cookie is in the client's jar
    response = api.get("/api/v1/rounds?lang=fi")  # ?lang= would be kept in a session
    assert response.status_code == 200 and response.get_json() == {"rounds": []}
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
    assert response.headers["Cache-Control"] == "no-store"
    assert_unauthorized(client.get("/api/v1/rounds")), "the session cookie alone lets nobody in"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer sa_not-a-token-at-all",
        "Bearer ",
        "Basic c2FfeDp5",
        "sa_only-the-token",
        "Bearer " + "sa_" + "x" * 500,
    ],
)
def test_a_wrong_token_is_refused(client: FlaskClient, make_token: Maker, header: str) -> None:
    make_token("coordinator")
    assert_unauthorized(client.get("/api/v1/rounds", headers={"Authorization": header}))


def test_a_revoked_token_is_refused(client: FlaskClient, session: Session) -> None:
    made = api_tokens.create_token(session, "old", "editor", actor=SETUP)
    session.commit()
    api = ApiClient(client, made.secret)
    assert api.get("/api/v1/rounds").status_code == 200
    api_tokens.revoke_token(session, made.token.id, actor=SETUP)
    session.commit()
    response = api.get("/api/v1/rounds")
    assert_unauthorized(response)
    assert response.get_json()["error"] == "the token is not valid"


def test_only_the_hash_of_a_token_is_stored(session: Session, make_token: Maker) -> None:
    secret = make_token("editor")
    stored = fresh(session).scalars(select(ApiToken)).one()
    assert secret.startswith("sa_") and len(secret) > 40
    assert stored.token_hash == api_tokens.hash_secret(secret) and secret not in stored.token_hash


def test_a_coordinator_token_reads_what_editors_may(client: FlaskClient, make_token: Maker) -> None:
    api = ApiClient(client, make_token("coordinator"))
    assert api.get("/api/v1/rounds").status_code == 200


def test_an_editor_token_is_refused_where_a_coordinator_is_needed(
    app: Flask, make_token: Maker
) -> None:
    app.add_url_rule(
        "/api/v1/coordinators-only",
        "api_test_coordinators_only",
        token_required("coordinator")(lambda: {"ok": True}),
    )
    client = app.test_client()
    editor = ApiClient(client, make_token("editor"))
    refused = editor.get("/api/v1/coordinators-only")
    assert refused.status_code == 403 and "coordinator" in refused.get_json()["error"]
    coordinator = ApiClient(client, make_token("coordinator"))
    assert coordinator.get("/api/v1/coordinators-only").get_json() == {"ok": True}


def test_each_successful_call_is_audited_and_marks_the_token_used(
    session: Session, client: FlaskClient, audit_events: Maker
) -> None:
    made = api_tokens.create_token(session, "dashboard sync", "editor", actor=SETUP)
    session.commit()
    api = ApiClient(client, made.secret)
    assert api.get("/api/v1/rounds").status_code == 200
    assert api.get("/api/v1/rounds/999999/codebook").status_code == 404
    assert_unauthorized(client.get("/api/v1/rounds"))
    reads = audit_events("api_read")
    assert [(e.target, e.actor_email) for e in reads] == [
        ("/api/v1/rounds", f"api token {made.token.id} (dashboard sync)")
    ]
    assert reads[0].address == "127.0.0.1" and made.secret not in reads[0].detail
    token = fresh(session).get(ApiToken, made.token.id)
    assert token is not None and token.last_used_at is not None


def test_adding_and_revoking_a_token_is_audited_without_the_secret(
    session: Session, audit_events: Maker
) -> None:
    made = api_tokens.create_token(session, "reporting", "coordinator", actor=SETUP)
    api_tokens.revoke_token(session, made.token.id, actor=SETUP)
    api_tokens.revoke_token(session, made.token.id, actor=SETUP)  # again: nothing new
    session.commit()
    events = audit_events(with_setup=True)
    actions = [(e.action, e.target) for e in events if e.action.startswith("api_token")]
    target = f"api token {made.token.id} (reporting)"
    assert actions == [("api_token_added", target), ("api_token_revoked", target)]
    assert all(made.secret not in f"{e.target} {e.detail}" for e in events)


def test_the_openapi_document_needs_no_token(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.get_json()["openapi"] == "3.1.0"


def test_an_unknown_round_is_a_json_404(api: ApiClient) -> None:
    for part in ("results", "you-said-we-did", "codebook"):
        response = api.get(f"/api/v1/rounds/999999/{part}")
        assert response.status_code == 404 and response.get_json() == {
            "error": "there is no such round"
        }
