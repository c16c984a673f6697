"""Respondents under load against gunicorn, compared with a bare Flask/SQLAlchemy baseline.

    .venv/bin/python benchmarks/load/run.py --db sqlite --workers 4 --users 50 --seconds 60
    .venv/bin/python benchmarks/load/run.py --db postgresql --workers 4 --users 200

One command, loopback only, bounded in time; gunicorn runs as two child processes (our
app and benchmarks/load/bare_app.py, same gunicorn.conf.py, same worker count) stopped by
their PIDs. Steps:

1. a fresh database (a temporary SQLite file, or a new PostgreSQL database on
   127.0.0.1:5432 that is dropped at the end) with the demo data and a round with
   personal links;
2. the journey: USERS respondents open their link, GET and POST every page (CSRF token
   from the form, cookies kept), review and submit, for SECONDS; requests/s and
   p50/p95/p99 per step;
3. the comparison, in alternating slices so that a busy neighbour hurts both sides alike:
   our survey page (GET) against the bare Jinja page of the same size, our page save
   (POST) against the bare Core insert; the same USERS, each in a closed loop;
4. the check: every acknowledged save and submit is in the database exactly once (lost,
   duplicated), no "database is locked" in any reply or log, no link token in the logs.

Targets: survey page >= 60 % of the bare page, page save
>= 50 % of the bare insert, 0 lost, 0 duplicated. Exit status 1 when one is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import journey

from surveyapp.db import make_engine

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PAGE_TARGET, SAVE_TARGET = 0.60, 0.50


@dataclass
class Seat:
    """One simulated respondent of the comparison: a link, its state, two cookie jars."""

    state: journey.TokenState
    app: journey.Browser
    bare: journey.Browser
    csrf: str = ""
    turn: int = 0
    sections: list[Any] | None = None  # the pages its answers show; None after a save


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int, with_children: bool = False) -> float:
    """CPU seconds of a process (and of its children it has waited for), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # After the comm field: utime, stime, cutime, cstime are fields 12..15 (0-based 11..14).
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / _TICK


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().startswith("postgres"):
                    pids.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return pids


class CpuMeter:
    """Where the machine's CPU goes per kind of request: the server's processes (its
    master, with the workers it has reaped, and its live workers), the database server's
    processes, and this client. The machine is shared, so these are the figures that
    say what a request costs, whatever else runs."""

    def __init__(self, servers: Mapping[str, journey.Server]) -> None:
        self.servers = servers
        self.spent: dict[str, dict[str, float]] = {}

    def reading(self, server: str) -> dict[str, float]:
        gunicorn = self.servers[server]
        return {
            "server": _cpu_of(gunicorn.pid, with_children=True)
            + sum(_cpu_of(p) for p in gunicorn.worker_pids()),
            # A backend that has exited is in its parent's reaped-children time.
            "database": sum(_cpu_of(p, with_children=True) for p in _postgres_pids()),
            "client": time.process_time(),
        }

    def add(self, kind: str, before: dict[str, float], after: dict[str, float]) -> None:
        spent = self.spent.setdefault(kind, dict.fromkeys(before, 0.0))
        for part in before:
            spent[part] += max(0.0, after[part] - before[part])


class Comparison:
    """Closed loops of one kind of request, in slices of a few seconds."""

    def __init__(
        self, app_url: str, bare_url: str, fixture: journey.Fixture, states: list[Any], users: int
    ) -> None:
        self.survey = fixture.survey
        self.helper = journey.Respondents(
            app_url, self.survey, [], users=users, seconds=0, seed=5, timeout=30, think=0
        )
        app_port, bare_port = _port(app_url), _port(bare_url)
        self.seats = [
            Seat(states[i % len(states)], _browser(app_port), _browser(bare_port))
            for i in range(min(users, len(states)))
        ]
        self.rng = random.Random(11)
        self.stats = {k: journey.StepStats() for k in ("bare_page", "page", "bare_save", "save")}
        self.elapsed = dict.fromkeys(self.stats, 0.0)
        self.ops: list[journey.Op] = []
        self.errors: list[str] = []

    async def prepare(self) -> None:
        """Each seat gets a session cookie and CSRF token for its link, as after a GET."""

        async def one(seat: Seat) -> None:
            reply = await seat.app.request("GET", self._page_path(seat))
            seat.csrf = journey._csrf(reply)

        await asyncio.gather(*(one(seat) for seat in self.seats))

    def _sections(self, seat: Seat) -> list[Any]:
        # Worked out again only after a save: this client shares the cores with the servers,
        # and its own CPU per request should be the same for our page and the bare page.
        if seat.sections is None:
            seat.sections = self.helper._visible_sections(seat.state.latest)
        return seat.sections

    def _page_path(self, seat: Seat) -> str:
        sections = self._sections(seat)
        seat.turn += 1
        return f"/s/{seat.state.token}/p/{sections[seat.turn % len(sections)].id}"

    async def slice(self, kind: str, seconds: float, meter: CpuMeter | None = None) -> None:
        server = "bare" if kind.startswith("bare") else "app"
        before = meter.reading(server) if meter else None
        await self._slice(kind, seconds)
        if meter and before:
            meter.add(kind, before, meter.reading(server))

    async def _slice(self, kind: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        stats = self.stats[kind]
        action: Callable[[Seat], Awaitable[int]] = getattr(self, "_" + kind)

        async def loop(seat: Seat) -> None:
            while time.monotonic() < deadline:
                begin = time.monotonic()
                try:
                    status = await action(seat)
                except (OSError, TimeoutError, journey.JourneyError) as error:
                    stats.failures += 1
                    if len(self.errors) < 20:
                        self.errors.append(f"{kind}: {error}")
                    continue
                if time.monotonic() <= deadline:
                    stats.add(time.monotonic() - begin, status)

        start = time.monotonic()
        await asyncio.gather(*(loop(seat) for seat in self.seats))
        self.elapsed[kind] += min(time.monotonic(), deadline) - start

    async def _bare_page(self, seat: Seat) -> int:
        return (await seat.bare.request("GET", "/bare/page")).status

    async def _page(self, seat: Seat) -> int:
        # The form token was read in prepare(): it stays the same for the session, and a
        # save with a stale one would fail and count as an error.
        return (await seat.app.request("GET", self._page_path(seat))).status

    def _form(self, seat: Seat) -> tuple[Any, list[tuple[str, str]], dict[str, Any]]:
        sections = self._sections(seat)
        section = sections[self.rng.randrange(len(sections))]
        form, values = self.helper._fill(section, seat.state, self.rng, seat.csrf)
        return section, form, values

    async def _bare_save(self, seat: Seat) -> int:
        _section, form, _values = self._form(seat)
        return (await seat.bare.request("POST", "/bare/save", form)).status

    async def _save(self, seat: Seat) -> int:
        section, form, values = self._form(seat)
        keys = journey.section_keys(section)
        op = journey.Op("save", seat.state.token, section.id)
        self.ops.append(op)
        seat.state.sent(keys, values)
        seat.sections = None
        reply = await seat.app.request("POST", f"/s/{seat.state.token}/p/{section.id}", form)
        op.status = reply.status
        if op.acked:
            seat.state.acknowledged(keys, values)
            seat.state.saves_acked += 1
        return reply.status

    def rps(self, kind: str) -> float:
        return len(self.stats[kind].latencies) / self.elapsed[kind] if self.elapsed[kind] else 0.0


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _browser(port: int) -> journey.Browser:
    return journey.Browser("127.0.0.1", port, 30.0)


def _page_bytes(app_url: str, fixture: journey.Fixture, states: list[Any]) -> int:
    """The mean size of our survey pages, for the bare page to match."""

    async def measure() -> int:
        browser = _browser(_port(app_url))
        sizes = []
        state = states[0]
        shown = journey._visible(fixture.survey, journey.condition_values(state.latest))
        for section in fixture.survey.sections:
            if any(q.id in shown for q in section.questions):
                reply = await browser.request("GET", f"/s/{state.token}/p/{section.id}")
                sizes.append(len(reply.body))
        browser.close()
        return sum(sizes) // len(sizes)

    return asyncio.run(measure())


def _fmt(value: float, digits: int = 0) -> str:
    return "–" if value != value else f"{value:,.{digits}f}"


def _table(rows: list[list[str]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN, help="where to create the database")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="gthread")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--users", type=int, default=50, help="concurrent respondents")
    parser.add_argument("--seconds", type=float, default=60, help="length of the journey run")
    # Long enough that a busy neighbour on the host averages out: 20 s per kind in 4 slices
    # moved the ratios by about 5 points from run to run (benchmarks/README.md).
    parser.add_argument(
        "--compare-seconds", type=float, default=60, help="per kind, for the page/save ratios"
    )
    parser.add_argument("--slices", type=int, default=6, help="alternations of the comparison")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--keepalive",
        action="store_true",
        help="reuse connections (default: close each, as nginx does towards gunicorn)",
    )
    args = parser.parse_args(argv)
    journey.Browser.keepalive = args.keepalive

    work = Path(tempfile.mkdtemp(prefix="surveyapp-load-"))
    if args.db == "sqlite":
        url = f"sqlite:///{work / 'load.db'}"
    else:
        url = journey.create_postgres_database(args.pg_admin_url)
    env = {
        "SURVEYAPP_WORKER_CLASS": args.worker_class,
        "SURVEYAPP_THREADS": str(args.threads),
    }
    servers: list[journey.Server] = []
    figures: dict[str, Any] = {
        "db": args.db,
        "workers": args.workers,
        "worker_class": args.worker_class,
        "threads": args.threads if args.worker_class == "gthread" else 1,
        "users": args.users,
        "keepalive": args.keepalive,
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg()[0],
    }
    try:
        # Enough fresh links that no respondent runs out during the journey.
        fixture = journey.prepare_database(url, invitations=max(400, args.users * 12))
        engine = make_engine(url)
        from bare_app import metadata

        metadata.create_all(engine)
        engine.dispose()
        print(f"database {args.db} ready in {work}; starting gunicorn x2", flush=True)
        app = journey.start_gunicorn(url, args.workers, env, log_path=work / "app.log")
        servers.append(app)

        print(f"journey: {args.users} respondents for {args.seconds:.0f} s", flush=True)
        result = journey.run_respondents(
            app.base_url, fixture, users=args.users, seconds=args.seconds
        )
        # The comparison reuses links with at least one saved page (their pages show answers).
        states = [s for s in result.states.values() if s.saves_acked]
        if not states:
            raise SystemExit(f"no page was saved during the journey: {result.errors[:5]}")

        size = _page_bytes(app.base_url, fixture, states)
        bare_env = {**env, "BARE_PAGE_BYTES": str(size)}
        bare = journey.start_gunicorn(
            url,
            args.workers,
            bare_env,
            app="bare_app:create_app()",
            log_path=work / "bare.log",
            extra_args=["--pythonpath", str(Path(__file__).resolve().parent)],
        )
        servers.append(bare)
        comparison = Comparison(app.base_url, bare.base_url, fixture, states, args.users)
        figures["seats"] = len(comparison.seats)
        print(
            f"comparison: {len(comparison.seats)} loops, {args.compare_seconds:.0f} s per kind "
            f"in {args.slices} slices (pages of {size:,} bytes)",
            flush=True,
        )

        meter = CpuMeter({"app": app, "bare": bare})

        async def compare() -> None:
            await comparison.prepare()
            per_slice = args.compare_seconds / args.slices
            for _ in range(args.slices):
                for kind in ("bare_page", "page", "bare_save", "save"):
                    await comparison.slice(kind, per_slice, meter)

        asyncio.run(compare())
        figures["load_after"] = os.getloadavg()[0]
        for server in servers:
            server.stop()

        # The comparison's saves are checked with the journey's.
        result.ops.extend(comparison.ops)
        check = journey.check_database(url, fixture, result)
        logs = app.log_text() + bare.log_text()
        leaked = sum(token in logs for token in fixture.tokens)
        figures.update(
            journey={"seconds": result.seconds, "journeys": result.journeys, **result.summary()},
            compare={
                k: {
                    **comparison.stats[k].summary(comparison.elapsed[k]),
                    "rps": comparison.rps(k),
                    "cpu_ms": {
                        part: 1000 * seconds / max(len(comparison.stats[k].latencies), 1)
                        for part, seconds in meter.spent.get(k, {}).items()
                    },
                }
                for k in comparison.stats
            },
            page_bytes=size,
            page_ratio=comparison.rps("page") / comparison.rps("bare_page"),
            save_ratio=comparison.rps("save") / comparison.rps("bare_save"),
            lost=check.lost,
            duplicated=check.duplicated,
            unexpected=check.unexpected,
            saves_acked=check.saves_acked,
            submits_acked=check.submits_acked,
            answers_checked=check.answers,
            locked_replies=result.locked,
            locked_in_logs=logs.count("database is locked"),
            tracebacks_in_logs=logs.count("Traceback"),
            tokens_in_logs=leaked,
            errors=result.errors[:10] + comparison.errors[:10],
            problems=check.problems[:10],
        )
    finally:
        for server in servers:
            server.stop()
        if args.db == "postgresql":
            journey.drop_postgres_database(args.pg_admin_url, url)

    _report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    ok = (
        figures["page_ratio"] >= PAGE_TARGET
        and figures["save_ratio"] >= SAVE_TARGET
        and check.ok
        and not figures["locked_replies"]
        and not figures["locked_in_logs"]
        and not leaked
    )
    print("\nall targets met" if ok else "\nTARGET MISSED (see above)")
    return 0 if ok else 1


def _report(f: dict[str, Any]) -> None:
    threads = f" x {f['threads']} threads" if f["threads"] > 1 else ""
    print(
        f"\n{f['db']}, {f['workers']} {f['worker_class']} workers{threads}, {f['users']} users, "
        f"keep-alive {'on' if f['keepalive'] else 'off'}, "
        f"{f['cpus']} CPUs, load average {f['load_before']:.1f} before, "
        f"{f.get('load_after', float('nan')):.1f} after the comparison"
    )
    j = f["journey"]
    print(f"\nJourney ({j['seconds']:.0f} s, {j['journeys']} journeys completed):\n")
    rows = [
        [
            step,
            str(s["count"]),
            _fmt(s["rps"], 1),
            _fmt(s["p50"]),
            _fmt(s["p95"]),
            _fmt(s["p99"]),
            str(s["errors"]),
        ]
        for step, s in j.items()
        if isinstance(s, dict)
    ]
    print(_table(rows, ["step", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]))
    c = f["compare"]
    print(f"\nComparison ({f['seats']} closed loops, {f['page_bytes']:,}-byte pages):\n")
    rows = []
    for ours, bare, ratio, target in (
        ("page", "bare_page", f["page_ratio"], PAGE_TARGET),
        ("save", "bare_save", f["save_ratio"], SAVE_TARGET),
    ):
        for kind in (bare, ours):
            s = c[kind]
            rows.append(
                [
                    kind,
                    _fmt(s["rps"], 1),
                    _fmt(s["p50"]),
                    _fmt(s["p95"]),
                    _fmt(s["p99"]),
                    str(s["errors"]),
                    f"{ratio:.0%} (target {target:.0%})" if kind == ours else "1",
                ]
            )
    print(_table(rows, ["kind", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "ratio"]))
    parts = ("server", "database", "client")
    print("\nCPU per request, ms (the server's processes, the database server's, this client):\n")
    rows = [
        [kind, *(_fmt(c[kind]["cpu_ms"].get(p, float("nan")), 2) for p in parts)]
        for kind in ("bare_page", "page", "bare_save", "save")
    ]
    print(_table(rows, ["kind", *parts]))
    print(
        f"\nDatabase check: {f['saves_acked']} acknowledged saves, {f['submits_acked']} "
        f"acknowledged submits, {f['answers_checked']} answers compared: "
        f"{f['lost']} lost, {f['duplicated']} duplicated, {f['unexpected']} unexpected; "
        f"'database is locked': {f['locked_replies']} replies, {f['locked_in_logs']} log lines; "
        f"tracebacks in logs: {f['tracebacks_in_logs']}; link tokens in logs: "
        f"{f['tokens_in_logs']}"
    )
    for line in f["errors"] + f["problems"]:
        print("  ", line)


if __name__ == "__main__":
    sys.exit(main())
