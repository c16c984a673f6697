"""An editor's logged-in test client for the page benchmarks (dashboard, report, triage)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from surveyapp.db import get_session
from surveyapp.services import users
from surveyapp.services.audit import Actor

EMAIL, PASSWORD = "editor@bench.example", "benchmark-password-1"


def add_editor(app: Flask) -> None:
    """The benchmark's editor account, in the app's database."""
    with app.app_context():
        session = get_session()
        users.add_user(session, EMAIL, "editor", PASSWORD, actor=Actor(name="benchmark"))
        session.commit()


def log_in(client: Any) -> FlaskClient:
    """`client`, logged in through the login form as the benchmark's editor."""
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token
    data = {"email": EMAIL, "password": PASSWORD, "csrf_token": token[1]}
    assert client.post("/login", data=data).status_code == 302
    return client  # type: ignore[no-any-return]


def editor_client(app: Flask) -> FlaskClient:
    """A new test client of `app` with its editor account, logged in."""
    add_editor(app)
    return log_in(app.test_client())
