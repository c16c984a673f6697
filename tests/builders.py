"""Builders for test data: each returns a callable that makes one thing."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.definitions import SurveyRegistry
from surveyapp.models import Invitation, Participant, Response, Round, User
from surveyapp.services import rounds, users
from surveyapp.services.audit import Actor

TEST_SURVEYS = Path(__file__).parent / "data" / "surveys"
test_registry = SurveyRegistry(TEST_SURVEYS)
# Who arranges a test's data: the services record every change, the test's own too.
SETUP = Actor(name="test setup")


def participant_maker(session: Session) -> Callable[..., Participant]:
    counter = iter(range(1, 10_000))

    def make(**fields: Any) -> Participant:
        n = next(counter)
        values = {
            "email": f"person{n}@city{n}.example",
            "name": f"Person {n}",
            "group": "validation-group",
            "country": "FI",
            "language": None,
        }
        values.update(fields)
        person = Participant(**values)
        session.add(person)
        session.commit()
        return person

    return make


def round_maker(session: Session) -> Callable[..., Round]:
    def make(survey_id: str = "respond-test", revision: str = "0.3", **options: Any) -> Round:
        round_ = rounds.open_round(
            session, test_registry, survey_id, revision, **options, actor=SETUP
        )
        session.commit()
        return round_

    return make


def invitation_maker(session: Session) -> Callable[[Round, Participant], Invitation]:
    def make(round_: Round, person: Participant) -> Invitation:
        rounds.invite_participants(session, round_, [person.id], actor=SETUP)
        session.commit()
        return session.scalars(
            select(Invitation).where(
                Invitation.round_id == round_.id, Invitation.participant_id == person.id
            )
        ).one()

    return make


def csrf_token(client: FlaskClient, url: str) -> str:
    """The form token of the page at `url`, as a browser would send it back."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, f"no csrf_token on {url}"
    return match.group(1)


def post_page(client: FlaskClient, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """Post a page as a browser without JavaScript would: with its form token and hidden fields."""
    html = client.get(url).get_data(as_text=True)
    payload = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token, f"no csrf_token on {url}"
    payload["csrf_token"] = token.group(1)
    payload.update(data)
    return client.post(url, data=payload, **kwargs)


def app_registry(app: Flask) -> SurveyRegistry:
    registry: SurveyRegistry = app.extensions["surveys"]
    return registry


PASSWORD = "correct horse battery staple"


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, **data: str) -> Any:
    """Post the real login form, with the form token the login page hands out."""
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, **data}
    )


def login_maker(session: Session) -> Callable[[FlaskClient, str], User]:
    """`login(client, role)`: a new account of that role, logged in through the login form."""
    counter = iter(range(1, 10_000))

    def login(client: FlaskClient, role: str) -> User:
        user = users.add_user(
            session, f"{role}{next(counter)}@partnership.example", role, PASSWORD, actor=SETUP
        )
        session.commit()
        response = log_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


def workspace_token(client: FlaskClient, url: str = "/workspace/") -> str:
    """The form token on a workspace page (every one has the logout form)."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html)
    assert match, f"no csrf_token on {url}"
    return match.group(1)


class _Tables(HTMLParser):
    """Collects every table's caption and the text of each row's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._text: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "tr" and self.tables:
            self._row = []
            self.tables[-1][1].append(self._row)
        elif tag in ("td", "th", "caption"):
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._text is not None:
            self._row.append(" ".join("".join(self._text).split()))
        elif tag == "caption" and self._text is not None:
            self.tables[-1] = (" ".join("".join(self._text).split()), self.tables[-1][1])
        if tag in ("td", "th", "caption"):
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def table_rows(html: str, caption: str) -> list[list[str]]:
    """The rows (header row first) of the table with this caption, as the text of each cell."""
    parser = _Tables()
    parser.feed(html)
    for found, rows in parser.tables:
        if found == caption:
            return rows
    raise AssertionError(f"no table captioned {caption!r}; found {[c for c, _ in parser.tables]}")


def fresh(session: Session) -> Session:
    """The test's session with a new read snapshot and nothing stale loaded."""
    session.rollback()  # end the read snapshot
    session.expire_all()  # and forget loaded state
    return session


def respond_as(session: Session, invitation: Invitation, status: str) -> Response:
    """A response of the invitation's participant, in the given status."""
    response = Response(round_id=invitation.round_id, invitation_id=invitation.id, status=status)
    session.add(response)
    session.commit()
    return response


# Tests that need Redis use database 15; CI must have it, a developer's machine may not.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_or_skip() -> str:
    """REDIS_URL when Redis answers; otherwise skip the test (fail it in CI)."""
    import pytest
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            raise AssertionError(f"Redis at {REDIS_URL} is required in CI: {error}") from error
        pytest.skip(f"Redis at {REDIS_URL} is not reachable")
    return REDIS_URL


def assert_by_account(session: Session, event: Any, role: str) -> None:
    """The audit event names a logged-in account of `role`, from the test client's address."""
    user = session.get(User, event.actor_id) if event.actor_id is not None else None
    assert user is not None, f"{event.action} has no account as its actor"
    assert (event.actor_email, user.role, event.address) == (user.email, role, "127.0.0.1")
