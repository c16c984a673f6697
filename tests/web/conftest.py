"""Fixtures shared by the web tests (the app, client and login come from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import analysis_dataset
import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session


@pytest.fixture
def coordinator(client: FlaskClient, login: Callable[[FlaskClient, str], Any]) -> FlaskClient:
    """The test's `client`, logged in through the login form as a new coordinator."""
    login(client, "coordinator")
    return client


@pytest.fixture
def editor(client: FlaskClient, login: Callable[[FlaskClient, str], Any]) -> FlaskClient:
    """The test client, logged in as an editor (`client.user` is the account)."""
    client.user = login(client, "editor")  # type: ignore[attr-defined]
    return client


@pytest.fixture
def data(session: Session, tmp_path: Path) -> analysis_dataset.Dataset:
    """Two rounds of manual-usability with answers (tests/analysis_dataset.py)."""
    return analysis_dataset.build(session, tmp_path)
