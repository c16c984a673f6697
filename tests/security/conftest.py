"""Fixtures of the security suite; payloads and checks are in security_kit.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from security_kit import next_id
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from surveyapp.auth.access import session_claims
from surveyapp.models import User


@pytest.fixture
def as_user(session: Session) -> Callable[[FlaskClient, str], User]:
    """`as_user(client, "editor")`: a new account of that role whose session `client` holds.

    Skips the login form (tests/web/test_auth.py covers it) and its deliberately slow scrypt.
    """

    def log_in(client: FlaskClient, role: str) -> User:
        user = User(
            email=f"{role}{next_id()}@partnership.example",
            role=role,
            password_hash=generate_password_hash("x", method="pbkdf2:sha256:1"),
        )
        session.add(user)
        session.commit()
        with client.session_transaction() as cookie:
            cookie.update(session_claims(user))
        return user

    return log_in


@pytest.fixture
def coordinator_by_cookie(
    client: FlaskClient, as_user: Callable[[FlaskClient, str], User]
) -> FlaskClient:
    """The test's `client` holding a new coordinator's session, written straight into its
    cookie by `as_user` (no login form: tests/web/conftest.py's `coordinator` uses it)."""
    as_user(client, "coordinator")
    return client
