"""Time and peak memory of `surveyapp export` for N responses x 40 questions.

    .venv/bin/python benchmarks/export.py [N]        # default N = 1000

Generates a round in a temporary SQLite database with Core bulk inserts, then runs, each
in a fresh child process (so ru_maxrss is that step's own peak): our Excel summary
(`write_summary`), our tidy CSV, and a bare `pandas.DataFrame.to_excel(engine="xlsxwriter")`
of the same N x 40 values. Each step's wall time and CPU time are reported: on a shared
machine the CPU time is the steadier of the two. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = 40
SEED = 20261125
BATCH = 50_000
EXTENSIONS = {"xlsx": "xlsx", "csv": "csv", "bare": "xlsx"}


def survey_yaml() -> str:
    """40 questions: 30 likert, 4 single, 4 ratings (0-10), 2 texts, in two chapters."""
    lines = ["id: bench", "title: {en: Benchmark}", "languages: [en]", "sections:"]
    for s, chapter in enumerate(("why", "how")):
        lines += [
            f"  - id: s{s}",
            f"    chapter: {chapter}",
            "    title: {en: S}",
            "    questions:",
        ]
        for i in range(s * 20, s * 20 + 20):
            lines += [f"      - id: q{i:02d}", f"        text: {{en: Question {i}}}"]
            lines += ["        " + line for line in _question(i)]
    return "\n".join(lines) + "\n"


def _question(i: int) -> list[str]:
    kind = _kind(i)
    if kind == "likert":
        return ["type: likert", "scale: agree5", "na: true"]
    if kind == "single":
        return ["type: single", "options:"] + [
            f"  - {{value: o{k}, label: {{en: Option {k}}}}}" for k in range(3)
        ]
    if kind == "rating":
        return ["type: rating", "min: 0", "max: 10"]
    return ["type: text", "multiline: true"]


def _kind(i: int) -> str:
    return (
        "text"
        if i % 20 == 19
        else "rating"
        if i % 10 == 8
        else "single"
        if i % 10 == 7
        else "likert"
    )


def values(n: int) -> Iterator[list[Any]]:
    """The same N rows of 40 answers in every process (seeded)."""
    rng = random.Random(SEED)
    for r in range(n):
        row: list[Any] = []
        for i in range(QUESTIONS):
            kind = _kind(i)
            if kind == "likert":
                row.append(None if rng.random() < 0.05 else rng.randint(1, 5))
            elif kind == "single":
                row.append(f"o{rng.randint(0, 2)}")
            elif kind == "rating":
                row.append(rng.randint(0, 10))
            else:
                row.append(f"Comment {r}: " + "lorem ipsum " * rng.randint(1, 20))
        yield row


def generate(directory: Path, n: int) -> tuple[str, int]:
    """A migrated SQLite database with one round of N submitted responses."""
    from sqlalchemy import insert, select
    from sqlalchemy.orm import Session

    from surveyapp import migrate
    from surveyapp.db import make_engine, utcnow
    from surveyapp.definitions import SurveyRegistry
    from surveyapp.models import Answer, Response
    from surveyapp.services import rounds
    from surveyapp.services.audit import Actor

    (directory / "surveys").mkdir()
    (directory / "surveys" / "bench.yaml").write_text(survey_yaml(), encoding="utf-8")
    url = f"sqlite:///{directory / 'bench.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine) as session:
        round_ = rounds.open_round(
            session, SurveyRegistry(directory / "surveys"), "bench", "1.0", actor=Actor.from_os()
        )
        now = utcnow()
        base = {"round_id": round_.id, "status": "submitted", "language": "en"}
        stamps = {"started_at": now, "updated_at": now, "submitted_at": now, "submission_count": 1}
        session.execute(insert(Response), [base | stamps for _ in range(n)])
        ids = list(session.scalars(select(Response.id).order_by(Response.id)))
        batch: list[dict[str, Any]] = []
        for rid, row in zip(ids, values(n), strict=True):
            batch += [
                {"response_id": rid, "question_id": f"q{i:02d}", "value": v}
                for i, v in enumerate(row)
            ]
            if len(batch) >= BATCH:
                session.execute(insert(Answer), batch)
                batch = []
        if batch:
            session.execute(insert(Answer), batch)
        session.commit()
        round_id = round_.id
    engine.dispose()
    return url, round_id


def child(step: str, url: str, round_id: int, n: int, out: str) -> None:
    """Run one step and print its seconds (wall and CPU) and peak RSS (MB) as JSON.

    Every step's imports come before the clock starts: a server pays them once per worker,
    not per export.
    """
    import pandas as pd
    import xlsxwriter  # noqa: F401  # pandas imports it only when writing
    from sqlalchemy.orm import Session

    from surveyapp.analysis.export_csv import write_tidy_csv
    from surveyapp.analysis.export_xlsx import write_summary
    from surveyapp.db import make_engine
    from surveyapp.models import Round

    started, cpu = time.perf_counter(), time.process_time()
    if step == "bare":
        frame = pd.DataFrame(values(n), columns=[f"q{i:02d}" for i in range(QUESTIONS)])
        frame.to_excel(out, engine="xlsxwriter", index=False)
    else:
        with Session(make_engine(url)) as session:
            round_ = session.get_one(Round, round_id)
            if step == "xlsx":
                write_summary(session, round_, out)
            else:
                write_tidy_csv(session, round_, out)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak}))


def measure(step: str, url: str, round_id: int, n: int, out: Path) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", step, url, str(round_id), str(n), str(out)]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1000, help="responses (default 1000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        url, round_id = generate(directory, args.n)
        took = time.perf_counter() - started
        print(f"{args.n} responses x {QUESTIONS} questions generated in {took:.1f} s")
        figures = {
            s: measure(s, url, round_id, args.n, directory / f"{s}.{EXTENSIONS[s]}")
            for s in ("xlsx", "csv", "bare")
        }
    bare = figures["bare"]
    for step, f in figures.items():
        print(
            f"{step:>5}: {f['seconds']:7.1f} s ({f['cpu']:6.1f} s CPU)"
            f"  {f['peak_mb']:5.0f} MB peak RSS"
            f"  vs bare: {f['seconds'] / bare['seconds']:.2f}x the time,"
            f" {f['cpu'] / bare['cpu']:.2f}x the CPU,"
            f" {f['peak_mb'] / bare['peak_mb']:.2f}x the memory"
        )
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} (wall times suffer)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    else:
        main()
