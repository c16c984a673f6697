"""Fixtures shared by the unit tests: a database of the test's own, without an app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from surveyapp import migrate
from surveyapp.db import make_engine


@pytest.fixture
def db_engine(tmp_path: Path) -> Iterator[Engine]:
    """A new SQLite file of this test's own, migrated to the latest revision.

    A module overrides it to put `db` elsewhere: tests/unit/services/test_mail_service.py
    on the suite's database (SQLite, or PostgreSQL with TEST_DATABASE_URL).
    """
    engine = make_engine(f"sqlite:///{tmp_path / 'unit.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db(db_engine: Engine) -> Iterator[Session]:
    """A session on `db_engine`; what it has loaded stays loaded after a commit."""
    with Session(db_engine, expire_on_commit=False) as session:
        yield session
