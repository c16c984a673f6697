"""Short load run in CI: 10 respondents for ~10 s against gunicorn with 4 workers.

The long version, with figures, is `benchmarks/load/run.py` (benchmarks/README.md, "Load").
SQLite by default; PostgreSQL (a database of its own, dropped afterwards) when
TEST_DATABASE_URL points to PostgreSQL. Loopback only; gunicorn is our child process and
is stopped by its PID.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks" / "load"))

import journey  # noqa: E402

USERS, SECONDS, WORKERS = 10, 10, 4


def _postgres_admin_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def load_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own: a temporary SQLite file, or a new PostgreSQL one."""
    admin_url = _postgres_admin_url()
    if request.param == "sqlite":
        if admin_url is not None:
            pytest.skip("TEST_DATABASE_URL selects PostgreSQL for this run")
        yield f"sqlite:///{tmp_path / 'load.db'}"
        return
    if admin_url is None:
        pytest.skip("set TEST_DATABASE_URL=postgresql+psycopg://... to run on PostgreSQL")
    url = journey.create_postgres_database(admin_url, prefix="surveyapp_loadtest")
    try:
        yield url
    finally:
        journey.drop_postgres_database(admin_url, url)


@pytest.mark.timeout(90)
def test_concurrent_respondents_lose_nothing_and_duplicate_nothing(
    load_database: str, tmp_path: Path
) -> None:
    fixture = journey.prepare_database(load_database, invitations=400)
    server = journey.start_gunicorn(load_database, WORKERS, log_path=tmp_path / "gunicorn.log")
    try:
        result = journey.run_respondents(
            server.base_url, fixture, users=USERS, seconds=SECONDS, timeout=20
        )
    finally:
        server.stop()
    check = journey.check_database(load_database, fixture, result)
    log = server.log_text()

    assert result.journeys >= USERS, result.errors  # every respondent got through at least once
    assert result.errors == [] and result.failures == 0 and result.server_errors == 0
    assert result.locked == 0 and "database is locked" not in log
    assert "Traceback" not in log, log[-3000:]
    assert check.saves_acked > 0 and check.submits_acked > 0
    assert (check.lost, check.duplicated, check.unexpected) == (0, 0, 0), check.problems
    # Personal links are credentials: none reaches gunicorn's access or error log.
    assert "/s/[token]" in log
    assert not [t for t in fixture.tokens if t in log]
