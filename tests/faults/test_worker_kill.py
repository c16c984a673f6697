"""kill -9 gunicorn workers under load: nothing acknowledged is lost.

gunicorn with 4 sync workers runs as a child process on a free port of 127.0.0.1 against a
database of its own (a temporary SQLite file; with TEST_DATABASE_URL on PostgreSQL, a
database created next to it and dropped afterwards), made with `surveyapp init` and the
demo data plus a round of personal links. 20 respondents save pages and submit for 15 s
while a worker is sent SIGKILL every 3 s. The long version, with its figures, is
`benchmarks/faults.py` (benchmarks/README.md, "Faults").
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_faults() -> ModuleType:
    """benchmarks/faults.py, which holds the kill loop and its checks."""
    spec = importlib.util.spec_from_file_location("faults_benchmark", ROOT / "benchmarks/faults.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.mark.timeout(180)
def test_workers_killed_under_load_lose_no_acknowledged_answer(tmp_path: Path) -> None:
    admin_url = os.environ.get("TEST_DATABASE_URL", "")
    faults = _load_faults()
    report = faults.run_kill_loop(
        tmp_path,
        seconds=15,
        kill_every=3,
        users=20,
        workers=4,
        invitations=300,
        postgres_admin_url=admin_url if admin_url.startswith("postgresql") else None,
    )
    summary = report.summary()
    assert len(report.kills) >= 3, summary
    assert report.workers_booted >= 4 + len(report.kills), "the master replaced every worker"
    assert summary["saves_acked"] >= 20, f"too little load to mean anything: {summary}"
    check = report.check
    assert (check.lost, check.duplicated, check.unexpected) == (0, 0, 0), check.problems
    assert report.stray_failures == [], "a request failed while no worker was being killed"
    assert len(report.failures) <= len(report.kills), "one request in flight per sync worker"
    assert report.result.server_errors == 0, report.result.errors
    assert report.result.locked == 0
    if report.database == "SQLite":
        assert report.integrity == "ok"
        assert report.foreign_key_violations == 0
