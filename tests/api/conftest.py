"""Fixtures of the read API's tests: tokens, an authorised client, and the seeded rounds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import api_world
import pytest
from api_world import ApiClient
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.services import api_tokens

Maker = Callable[..., Any]


@pytest.fixture
def make_token(session: Session) -> Callable[..., str]:
    """`make_token(role)`: a new token's secret."""

    def make(role: str = "editor", name: str = "tests") -> str:
        made = api_tokens.create_token(session, name, role, actor=SETUP)
        session.commit()
        return made.secret

    return make


@pytest.fixture
def api(client: FlaskClient, make_token: Callable[..., str]) -> ApiClient:
    return ApiClient(client, make_token("editor"))


@pytest.fixture
def world(
    session: Session, make_round: Maker, make_participant: Maker, make_invitation: Maker
) -> api_world.World:
    return api_world.build(session, make_round, make_participant, make_invitation)
