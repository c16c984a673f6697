"""Kill -9 gunicorn workers under load, then check that nothing acknowledged was lost.

    .venv/bin/python benchmarks/faults.py --minutes 5                  # SQLite, kill every 10 s
    .venv/bin/python benchmarks/faults.py --minutes 5 --baseline-minutes 1   # and a ratio
    .venv/bin/python benchmarks/faults.py --minutes 5 \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/test   # a database of its own

gunicorn (gunicorn.conf.py, sync workers) runs as a child process on a free port of
127.0.0.1 against a new database: a temporary SQLite file, or a database created next to
the given PostgreSQL URL and dropped afterwards. The schema is created with
`surveyapp init`, then the demo data and a round with personal links are added
(benchmarks/load/journey.py). Respondents play the whole journey (open link, every page
saved, review, submit; then edit and submit again) while a thread sends SIGKILL to one of
the master's worker processes every `--kill-every` seconds; the master starts a new one.

Afterwards, from the database: every save and submit that got a 2xx/3xx reply is stored
with exactly the values sent, no invitation has two responses, no answer is stored twice,
and (SQLite) `PRAGMA integrity_check` says ok and `PRAGMA foreign_key_check` finds
nothing. Every request the client saw fail without a reply must have been in flight
while a worker was killed, and there are at most as many of them as kills (a sync worker
serves one request at a time). tests/faults/test_worker_kill.py runs a short version.

Only PIDs read from /proc as children of the gunicorn master started here are signalled.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks" / "load"))

import journey  # noqa: E402

from surveyapp.logs import redact  # noqa: E402


@dataclass
class Kill:
    """A SIGKILL sent to a worker: the monotonic clock just before and just after."""

    pid: int
    before: float
    after: float


@dataclass
class Failure:
    """A request that got no reply (connection reset or closed, or a timeout)."""

    start: float
    end: float
    method: str
    path: str
    error: str

    def during(self, kill: Kill) -> bool:
        return self.start <= kill.after and self.end >= kill.before


@dataclass
class KillReport:
    database: str
    workers: int
    users: int
    kill_every: float
    kills: list[Kill]
    failures: list[Failure]
    result: journey.RunResult
    check: journey.Check
    workers_booted: int
    integrity: str | None = None  # SQLite's PRAGMA integrity_check
    foreign_key_violations: int = 0
    log_tail: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def stray_failures(self) -> list[Failure]:
        """Failures while no worker was being killed: there must be none."""
        return [f for f in self.failures if not any(f.during(k) for k in self.kills)]

    @property
    def ok(self) -> bool:
        return (
            self.check.ok
            and not self.stray_failures
            and len(self.failures) <= len(self.kills)
            and self.result.server_errors == 0
            and self.result.locked == 0
            and self.integrity in (None, "ok")
            and self.foreign_key_violations == 0
        )

    def summary(self) -> dict[str, Any]:
        acked = self.result.acknowledged
        return {
            "database": self.database,
            "seconds": round(self.result.seconds, 1),
            "workers": self.workers,
            "users": self.users,
            "kill_every_s": self.kill_every,
            "kills": len(self.kills),
            "workers_booted": self.workers_booted,
            "journeys": self.result.journeys,
            "saves_acked": sum(1 for op in acked if op.kind == "save"),
            "submits_acked": sum(1 for op in acked if op.kind == "submit"),
            "requests": sum(len(s.latencies) for s in self.result.steps.values()),
            "requests_per_s": round(
                sum(len(s.latencies) for s in self.result.steps.values()) / self.result.seconds, 1
            ),
            "failed_without_reply": len(self.failures),
            "failed_outside_a_kill": len(self.stray_failures),
            "server_errors": self.result.server_errors,
            "database_is_locked": self.result.locked,
            "lost": self.check.lost,
            "duplicated": self.check.duplicated,
            "unexpected": self.check.unexpected,
            "integrity_check": self.integrity,
            "foreign_key_violations": self.foreign_key_violations,
            "ok": self.ok,
        }


class _Killer(threading.Thread):
    """SIGKILLs one of the master's workers every `every` seconds until stopped."""

    def __init__(self, server: journey.Server, every: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.server, self.every = server, every
        self.rng = random.Random(seed)
        self.kills: list[Kill] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            pids = [p for p in self.server.worker_pids() if _parent(p) == self.server.pid]
            if not pids:
                continue
            pid = self.rng.choice(pids)
            before = time.monotonic()
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                self.kills.append(Kill(pid, before, time.monotonic()))


def _parent(pid: int) -> int | None:
    """The parent PID from /proc/<pid>/stat; None when the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


@contextlib.contextmanager
def _recording_failures() -> Iterator[list[Failure]]:
    """Note every request of the journey client that got no reply, with its times."""
    failures: list[Failure] = []
    original = journey.Browser

    class RecordingBrowser(original):  # type: ignore[misc, valid-type]
        async def request(self, method: str, path: str, form: Any = ()) -> journey.Reply:
            start = time.monotonic()
            try:
                return await super().request(method, path, form)
            except (OSError, TimeoutError) as error:
                failures.append(
                    Failure(start, time.monotonic(), method, redact(path), repr(error)[:200])
                )
                raise

    journey.Browser = RecordingBrowser
    try:
        yield failures
    finally:
        journey.Browser = original


def _surveyapp_init(database_url: str) -> None:
    """Migrations run once, before gunicorn starts, as in production."""
    command = [str(Path(sys.executable).parent / "surveyapp"), "init"]
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)


def _sqlite_checks(path: str) -> tuple[str, int]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        integrity = "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
        violations = len(conn.execute("PRAGMA foreign_key_check").fetchall())
    return integrity, violations


def _await_boots(server: Any, expected: int, timeout: float = 20.0) -> None:
    """Until the server's log shows `expected` worker boots, or `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while server.log_text().count("Booting worker") < expected and time.monotonic() < deadline:
        time.sleep(0.2)


def run_kill_loop(
    workdir: Path,
    *,
    seconds: float,
    kill_every: float,
    users: int = 20,
    workers: int = 4,
    invitations: int = 400,
    postgres_admin_url: str | None = None,
    seed: int = 1,
) -> KillReport:
    """Load, kill workers, stop, check. A PostgreSQL database is created and dropped here."""
    if postgres_admin_url:
        url = journey.create_postgres_database(postgres_admin_url, prefix="surveyapp_faults")
        label = "PostgreSQL"
    else:
        url = f"sqlite:///{workdir / 'faults.db'}"
        label = "SQLite"
    try:
        _surveyapp_init(url)
        fixture = journey.prepare_database(url, invitations)
        env = {"SURVEYAPP_WORKER_CLASS": "sync", "SURVEYAPP_ACCESS_LOG": "off"}
        log_path = workdir / "gunicorn.log"
        server = journey.start_gunicorn(url, workers, env, log_path=log_path)
        killer = _Killer(server, kill_every, seed)
        try:
            with _recording_failures() as failures:
                if kill_every > 0:
                    killer.start()
                try:
                    result = journey.run_respondents(
                        server.base_url, fixture, users=users, seconds=seconds, seed=seed
                    )
                finally:
                    killer.stopping.set()
                    if killer.is_alive():
                        killer.join()
            # A worker killed just before the end is replaced a moment later: wait for it
            # rather than count it as never replaced (on a busy machine it took seconds).
            _await_boots(server, workers + len(killer.kills))
        finally:
            server.stop()
        log = server.log_text()
        check = journey.check_database(url, fixture, result)
        report = KillReport(
            database=label,
            workers=workers,
            users=users,
            kill_every=kill_every,
            kills=killer.kills,
            failures=failures,
            result=result,
            check=check,
            workers_booted=log.count("Booting worker"),
            log_tail=log[-3000:],
        )
        if not postgres_admin_url:
            report.integrity, report.foreign_key_violations = _sqlite_checks(
                url.removeprefix("sqlite:///")
            )
        return report
    finally:
        if postgres_admin_url:
            journey.drop_postgres_database(postgres_admin_url, url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to run (5)")
    parser.add_argument(
        "--kill-every", type=float, default=10.0, help="seconds between kills; 0: none (10)"
    )
    parser.add_argument("--users", type=int, default=50, help="concurrent respondents (50)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--invitations", type=int, default=5000, help="personal links (5000)")
    parser.add_argument(
        "--database",
        help="a PostgreSQL URL to create a throwaway database next to (default: SQLite)",
    )
    parser.add_argument(
        "--baseline-minutes",
        type=float,
        default=0.0,
        help="first run this long without kills, on a database of its own, for the ratio",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    options = {
        "users": args.users,
        "workers": args.workers,
        "invitations": args.invitations,
        "postgres_admin_url": args.database,
        "seed": args.seed,
    }
    baseline = None
    if args.baseline_minutes > 0:
        with tempfile.TemporaryDirectory(prefix="surveyapp-faults-") as tmp:
            baseline = run_kill_loop(
                Path(tmp), seconds=args.baseline_minutes * 60, kill_every=0, **options
            )
        print("without kills:", json.dumps(baseline.summary(), indent=2))
    with tempfile.TemporaryDirectory(prefix="surveyapp-faults-") as tmp:
        report = run_kill_loop(
            Path(tmp), seconds=args.minutes * 60, kill_every=args.kill_every, **options
        )
    print(json.dumps(report.summary(), indent=2))
    if baseline is not None:
        ratio = report.summary()["requests_per_s"] / baseline.summary()["requests_per_s"]
        print(f"requests/s with kills / without: {ratio:.2f}")
    for failure in report.stray_failures[:10]:
        print("failed outside a kill:", failure, file=sys.stderr)
    for problem in report.check.problems[:10]:
        print("problem:", problem, file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
