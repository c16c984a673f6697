"""Fixtures shared by the web tests (the app, client and login come from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient


@pytest.fixture
def coordinator(client: FlaskClient, login: Callable[[FlaskClient, str], Any]) -> FlaskClient:
    """The test's `client`, logged in through the login form as a new coordinator."""
    login(client, "coordinator")
    return client
