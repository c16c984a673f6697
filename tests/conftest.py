"""Shared fixtures: a database per test session (SQLite, or PostgreSQL if asked), app, client."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from builders import invitation_maker, participant_maker, round_maker
from surveyapp import create_app, migrate
from surveyapp.db import Base, make_engine
from surveyapp.models import Invitation, Participant, Round

ROOT = Path(__file__).resolve().parent.parent
SURVEYS_DIR = ROOT / "surveys"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """Build any missing or stale .mo file, as `make translations` does, so pages are translated."""
    for po_path in (ROOT / "surveyapp" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalogue)


def _postgres_admin_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database for this test session; PostgreSQL if TEST_DATABASE_URL says so."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
        _migrate(url)
        yield url
        return
    name = f"surveyapp_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        _migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    """Config overrides for the app; tests may change them before `app` is built."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SURVEYS_DIR": str(SURVEYS_DIR),
        "EXPORTS_DIR": str(tmp_path / "exports"),
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": True,
        # Excel builds run inside the POST: a background build outliving its test would write
        # into the next test's tables. tests/web/test_results_export.py tests the thread.
        "EXPORT_INLINE": True,
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    application = create_app(app_config)
    yield application
    _empty_tables(application.extensions["engine"])
    application.extensions["engine"].dispose()


def _empty_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session bound to the app's engine, for arranging and checking data in tests."""
    # Deferred BEGIN: the test's own reads must not hold SQLite's write lock during requests.
    engine = app.extensions["engine"].execution_options(sqlite_immediate=False)
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def make_participant(session: Session) -> Callable[..., Participant]:
    return participant_maker(session)


@pytest.fixture
def make_round(session: Session) -> Callable[..., Round]:
    return round_maker(session)


@pytest.fixture
def make_invitation(session: Session) -> Callable[[Round, Participant], Invitation]:
    return invitation_maker(session)


@pytest.fixture
def invitation(
    make_round: Callable[..., Round],
    make_participant: Callable[..., Participant],
    make_invitation: Callable[[Round, Participant], Invitation],
) -> Invitation:
    """A personal link to an open round of the test survey."""
    return make_invitation(make_round(), make_participant())


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port; see tests/mailserver.py."""
    from mailserver import running_server

    with running_server() as server:
        yield server


@pytest.fixture
def login(session: Session) -> Callable[[FlaskClient, str], Any]:
    """`login(client, "coordinator")` logs `client` in as a new account of that role."""
    from builders import login_maker  # imported here so this fixture stays an append

    return login_maker(session)


@pytest.fixture
def audit_events(session: Session) -> Callable[..., Any]:
    """`audit_events(action=None)`: the audit log so far, oldest first, without the events of
    the test's own set-up (builders.SETUP); `with_setup=True` keeps those too."""
    from sqlalchemy import select

    from builders import SETUP, fresh
    from surveyapp.models import AuditEvent

    def found(action: str | None = None, *, with_setup: bool = False) -> list[AuditEvent]:
        query = select(AuditEvent)
        if not with_setup:
            query = query.where(AuditEvent.actor_email != SETUP.name)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(fresh(session).scalars(query.order_by(AuditEvent.id)))

    return found
