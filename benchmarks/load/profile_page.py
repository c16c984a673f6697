"""In-process CPU cost of a survey page (GET) and a page save (POST), ours and the bare app's.

    .venv/bin/python benchmarks/load/profile_page.py [--n 200] [--rounds 3] [--profile page|save]
    .venv/bin/python benchmarks/load/profile_page.py --db postgresql

A temporary SQLite database (or, with --db postgresql, a database created next to
--pg-admin-url and dropped afterwards) gets the demo data and a round of
manual-usability (as load/run.py does); the Flask test client then GETs a page with
stored answers and POSTs it, N times each, best of ROUNDS, in ms of process CPU time per
request, and in ms of wall time, which includes the database server's work and the round
trips to it. The bare app (load/bare_app.py) is timed the same way, on the same database.
`--profile` prints cProfile's top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bare_app  # noqa: E402
import journey  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from surveyapp import create_app  # noqa: E402


def cpu_and_wall_ms(fn: Callable[[], None], n: int, rounds: int) -> tuple[float, float]:
    """Best of `rounds`, per request: process CPU time and wall time."""
    best_cpu = best_wall = float("inf")
    for _ in range(rounds):
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(n):
            fn()
        best_cpu = min(best_cpu, (time.process_time() - cpu) * 1000 / n)
        best_wall = min(best_wall, (time.perf_counter() - wall) * 1000 / n)
    return best_cpu, best_wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=("page", "save"))
    parser.add_argument(
        "--only",
        choices=("page", "bare_page", "save", "bare_save"),
        help="time one kind (for instruction counts: run under callgrind with --n 0 and N)",
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--answered",
        choices=("page", "all"),
        default="page",
        help="answers stored before timing: the timed page's only, or every page's (as in run.py)",
    )
    parser.add_argument(
        "--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="profile-page-")
    if args.db == "sqlite":
        url = f"sqlite:///{tmp}/bench.db"
    else:
        url = journey.create_postgres_database(args.pg_admin_url, prefix="surveyapp_profile")
    try:
        run(args, tmp, url)
    finally:
        if args.db == "postgresql":
            journey.drop_postgres_database(args.pg_admin_url, url)


def run(args: argparse.Namespace, tmp: str, url: str) -> None:
    fixture = journey.prepare_database(url, 4)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SURVEYS_DIR": str(ROOT / "surveys"),
            "EXPORTS_DIR": f"{tmp}/exports",
            "SECRET_KEY": "profile",
            "TOKEN_GUESS_LIMIT": 0,
        }
    )
    survey = fixture.survey
    section = survey.sections[1]
    token = fixture.tokens[0]
    client = app.test_client()
    page_url = f"/s/{token}/p/{section.id}"
    rng = random.Random(1)
    fields: list[tuple[str, str]] = []
    for q in section.questions:
        if q.is_answerable and not q.show_if:
            fields += journey.answer_for(q, rng)[1]
    reply = client.get(page_url)
    assert reply.status_code == 200, reply.status_code
    csrf = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', reply.data)
    assert csrf, "no csrf token"
    form = MultiDict([("csrf_token", csrf.group(1).decode()), ("action", "next"), *fields])
    first = client.post(page_url, data=form)
    assert first.status_code in (200, 302), (first.status_code, first.data[:2000])
    if args.answered == "all":
        for other in survey.sections:
            other_fields = [
                pair
                for q in other.questions
                if q.is_answerable and not q.show_if
                for pair in journey.answer_for(q, rng)[1]
            ]
            other_url = f"/s/{token}/p/{other.id}"
            client.post(
                other_url,
                data=MultiDict(
                    [("csrf_token", csrf.group(1).decode()), ("action", "next"), *other_fields]
                ),
            )
    size = len(client.get(page_url).data)
    with create_engine(url).connect() as conn:
        stored = conn.execute(
            text(
                "SELECT count(*) FROM answers JOIN responses ON responses.id = response_id"
                " JOIN invitations ON invitations.id = invitation_id WHERE invitations.token = :t"
            ),
            {"t": token},
        ).scalar_one()
    print(f"page {section.id}: {size} bytes, save -> {first.status_code}, {stored} answers stored")

    def get_page() -> None:
        assert client.get(page_url).status_code == 200

    def post_page() -> None:
        assert client.post(page_url, data=form).status_code in (200, 302)

    os.environ["DATABASE_URL"] = url if args.db == "postgresql" else f"sqlite:///{tmp}/bare.db"
    bare = bare_app.create_app()
    bare_app.metadata.create_all(bare_app.make_engine(os.environ["DATABASE_URL"]))
    bare_client = bare.test_client()
    bare_form = MultiDict([("csrf_token", "x" * 88), ("action", "next"), *fields])

    def bare_page() -> None:
        assert bare_client.get("/bare/page").status_code == 200

    def bare_save() -> None:
        assert bare_client.post("/bare/save", data=bare_form).status_code == 302

    if args.profile:
        fn = get_page if args.profile == "page" else post_page
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.n):
            fn()
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(70)
        stats.sort_stats("tottime").print_stats(30)
        for pat in os.environ.get("CALLERS", "").split(","):
            if pat:
                stats.print_callers(pat)
        return
    kinds = {
        "page": ("survey page GET", get_page),
        "bare_page": ("bare page GET", bare_page),
        "save": ("page save POST", post_page),
        "bare_save": ("bare insert POST", bare_save),
    }
    for kind, (name, fn) in kinds.items():
        if args.only and kind != args.only:
            continue
        cpu, wall = cpu_and_wall_ms(fn, args.n, args.rounds)
        print(f"{name:18} {cpu:6.2f} ms CPU/request {wall:6.2f} ms wall/request")


if __name__ == "__main__":
    main()
