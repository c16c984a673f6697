"""Migrations apply, match the models, and roll back — on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from surveyapp import migrate
from surveyapp.db import Base, make_engine

TABLES = {
    "audit_events",
    "mail_batches",
    "mail_messages",
    "users",
    "participants",
    "rounds",
    "invitations",
    "responses",
    "answers",
    "feedback_items",
}


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty database of the kind the suite runs against."""
    admin_url = os.environ.get("TEST_DATABASE_URL", "")
    if not admin_url.startswith("postgresql"):
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    name = f"surveyapp_mig_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(admin_url).set(database=name).render_as_string(False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_creates_every_table_at_head(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    assert set(inspect(empty_engine).get_table_names()) >= TABLES
    assert migrate.current_revision(empty_engine) == migrate.head_revision()


def test_migrations_match_the_models(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], "models changed without a migration: run alembic revision --autogenerate"


def test_downgrade_to_base_removes_everything_and_upgrade_again_works(
    empty_engine: Engine,
) -> None:
    migrate.upgrade(empty_engine)
    migrate.downgrade(empty_engine, "base")
    assert not TABLES & set(inspect(empty_engine).get_table_names())
    assert migrate.current_revision(empty_engine) is None
    migrate.upgrade(empty_engine)
    assert set(inspect(empty_engine).get_table_names()) >= TABLES


def test_session_epoch_starts_at_zero_for_existing_users_and_rolls_back(
    empty_engine: Engine,
) -> None:
    migrate.upgrade(empty_engine, "0005")
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (email, password_hash, role, is_active, created_at)"
                " VALUES ('c@partnership.example', 'x', 'coordinator', true, CURRENT_TIMESTAMP)"
            )
        )
    migrate.upgrade(empty_engine, "0006")
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT session_epoch FROM users")).scalar_one() == 0
    migrate.downgrade(empty_engine, "0005")
    columns = {c["name"] for c in inspect(empty_engine).get_columns("users")}
    assert "session_epoch" not in columns
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 1
