"""PostgreSQL connections: a pooled connection the server closed is replaced at checkout
without a ping, and a page's reads cost no BEGIN and ROLLBACK and hold one connection at a
time (surveyapp/db.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

from surveyapp.db import begin_write, get_session, make_engine, read_connection


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's pool and round trips")
    made = make_engine(database_url)
    yield made
    made.dispose()


def _statements(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement sent on the engine's connections from now on, "ping" for a ping."""
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: sent.append("ping") or ping(c))
    return sent


def _backend(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_the_server_closed_is_replaced_without_a_ping(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend(engine)  # now idle in the pool
    # Autocommit: inside one transaction PostgreSQL answers pg_stat_activity from a snapshot
    # taken at its first read, so the loop below would never see the backend go.
    admin = create_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # what a server restart does to every idle connection
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        deadline = time.monotonic() + 5
        while conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": first}
        ).scalar_one():
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.05)
    admin.dispose()

    sent = _statements(engine, monkeypatch)
    second = _backend(engine)  # would raise "server closed the connection" if reused
    assert second != first
    assert sent == ["SELECT pg_backend_pid()"]


def test_a_live_pooled_connection_is_reused_without_a_ping(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend(engine)
    sent = _statements(engine, monkeypatch)
    assert _backend(engine) == first
    assert sent == ["SELECT pg_backend_pid()"]


def test_a_pages_reads_send_no_begin_or_rollback_and_end_when_writing_begins(
    app: Flask, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's transactions")
    engine: Engine = app.extensions["engine"]
    with app.test_request_context("/s/token/p/about", method="POST"):
        reads = read_connection()
        assert read_connection() is reads, "one per request"
        assert reads.connection.dbapi_connection.autocommit  # type: ignore[union-attr]
        in_a_transaction = reads.execute(text("SELECT now() <> statement_timestamp()"))
        assert in_a_transaction.scalar_one() is False
        assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
        session = get_session()
        begin_write(session)
        assert engine.pool.checkedout() == 1, "the reads' connection went back first"  # type: ignore[attr-defined]
        session.execute(text("SELECT pg_sleep(0.01)"))
        in_a_transaction = session.execute(text("SELECT now() <> statement_timestamp()"))
        assert in_a_transaction.scalar_one() is True
        session.rollback()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    with engine.connect() as conn:  # pooled connections are back to transactions
        assert not conn.connection.dbapi_connection.autocommit  # type: ignore[union-attr]
