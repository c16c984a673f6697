"""sync or gthread workers? Both serve the same database at once; slices alternate.

    .venv/bin/python benchmarks/load/worker_class.py --db sqlite --workers 4 --users 50

Starts our app twice (gunicorn.conf.py, WORKERS sync workers / WORKERS gthread workers x
THREADS), fills some links with a short journey, then runs closed loops of survey pages
(GET) and page saves (POST) against one server and then the other, SLICES times, and
prints requests/s and latencies of each, plus the exactly-once check of all saves.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import journey
from run import PG_ADMIN, Comparison, _fmt, _table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20, help="per kind and worker class")
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument(
        "--no-keepalive", action="store_true", help="close every connection (nginx's default)"
    )
    args = parser.parse_args(argv)
    journey.Browser.keepalive = not args.no_keepalive

    work = Path(tempfile.mkdtemp(prefix="surveyapp-wc-"))
    if args.db == "sqlite":
        url = f"sqlite:///{work / 'load.db'}"
    else:
        url = journey.create_postgres_database(args.pg_admin_url)
    servers: list[journey.Server] = []
    try:
        fixture = journey.prepare_database(url, invitations=max(400, args.users * 4))
        sync = journey.start_gunicorn(url, args.workers, log_path=work / "sync.log")
        servers.append(sync)
        threaded = journey.start_gunicorn(
            url,
            args.workers,
            {"SURVEYAPP_WORKER_CLASS": "gthread", "SURVEYAPP_THREADS": str(args.threads)},
            log_path=work / "gthread.log",
        )
        servers.append(threaded)
        # Each loop needs a link of its own with saved pages: one short journey fills them.
        tokens = fixture.tokens[: args.users * 2]
        warm = journey.run_respondents(
            sync.base_url, fixture, users=args.users, seconds=10, tokens=tokens
        )
        states = [s for s in warm.states.values() if s.saves_acked]
        half = len(states) // 2
        a = Comparison(sync.base_url, sync.base_url, fixture, states[:half], args.users)
        b = Comparison(threaded.base_url, threaded.base_url, fixture, states[half:], args.users)
        print(f"{len(a.seats)} + {len(b.seats)} loops; {args.seconds:.0f} s per kind and class")

        async def alternate() -> None:
            await a.prepare()
            await b.prepare()
            per_slice = args.seconds / args.slices
            for _ in range(args.slices):
                for kind in ("page", "save"):
                    await a.slice(kind, per_slice)
                    await b.slice(kind, per_slice)

        asyncio.run(alternate())
        for server in servers:
            server.stop()
        warm.ops.extend(a.ops + b.ops)
        check = journey.check_database(url, fixture, warm)
    finally:
        for server in servers:
            server.stop()
        if args.db == "postgresql":
            journey.drop_postgres_database(args.pg_admin_url, url)

    rows = []
    for name, comparison in (("sync", a), (f"gthread x {args.threads}", b)):
        for kind in ("page", "save"):
            s = comparison.stats[kind].summary(comparison.elapsed[kind])
            rows.append(
                [
                    f"{name} {kind}",
                    _fmt(comparison.rps(kind), 1),
                    _fmt(s["p50"]),
                    _fmt(s["p95"]),
                    _fmt(s["p99"]),
                    str(s["errors"]),
                ]
            )
    keep = "off" if args.no_keepalive else "on"
    loops = f"{len(a.seats)} + {len(b.seats)} closed loops"
    print(f"\n{args.db}, {args.workers} workers, {loops}, keep-alive {keep}\n")
    print(_table(rows, ["server and kind", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]))
    print(
        f"\n{check.saves_acked} acknowledged saves: {check.lost} lost, "
        f"{check.duplicated} duplicated, {check.unexpected} unexpected"
    )
    return 0 if check.ok else 1


if __name__ == "__main__":
    sys.exit(main())
