"""Time and peak memory of `surveyapp export` for N responses x 40 questions.

    .venv/bin/python benchmarks/export.py [N]        # default N = 1000
    .venv/bin/python benchmarks/export.py 100000 --data /tmp/bench100k --steps xlsx stream

Generates a round in a temporary SQLite database with Core bulk inserts (or reuses the one
in `--data DIR`, generating it there the first time), then runs, each in a fresh child
process (so ru_maxrss is that step's own peak): our Excel summary (`write_summary`), our
tidy CSV, a bare streamed write of the same shape of workbook straight from SQLite
(`stream`: a plain sqlite3 cursor into xlsxwriter in constant memory, with the same label
columns beside the coded answers) and a bare `pandas.DataFrame.to_excel(engine=
"xlsxwriter")` of the same N x 40 values and their labels. Each step's
wall time and CPU time are reported: on a shared machine the CPU time is the steadier of
the two. Not part of the test suite.
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
EXTENSIONS = {"xlsx": "xlsx", "csv": "csv", "stream": "xlsx", "bare": "xlsx"}
STEPS = tuple(EXTENSIONS)


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


AGREE5 = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
# The label written beside each coded answer (likert and single choice), by question, as
# the Excel summary's Responses sheet has it.
LABELS: dict[str, dict[Any, str]] = {
    f"q{i:02d}": (
        {None: "not applicable", **dict(enumerate(AGREE5, start=1))}
        if _kind(i) == "likert"
        else {f"o{k}": f"Option {k}" for k in range(3)}
    )
    for i in range(QUESTIONS)
    if _kind(i) in ("likert", "single")
}

STREAM_QUERY = """
    SELECT r.id, r.language, r.submitted_at, a.question_id, a.value
    FROM answers a JOIN responses r ON r.id = a.response_id
    WHERE r.round_id = ? AND r.status = 'submitted'
    ORDER BY r.id, a.question_id
"""


def bare_stream(path: str, round_id: int, out: str) -> None:
    """The floor of our workbook's shape: one plain sqlite3 query ordered by response,
    grouped into rows in Python and written in constant memory, the free texts to a
    comments sheet as they pass, each coded answer's label beside it (LABELS), each
    question's values counted on the way and written last to a Summary sheet with one bar
    chart per question."""
    import sqlite3
    from collections import Counter
    from itertools import groupby

    from xlsxwriter import Workbook

    book = Workbook(out, {"constant_memory": True, "strings_to_formulas": False})
    summary, comments = book.add_worksheet("Summary"), book.add_worksheet("Comments")
    responses = book.add_worksheet("Responses")
    codes = [f"q{i:02d}" for i in range(QUESTIONS)]
    header = ["response_id", "language", "submitted_at", *labelled_header()]
    column = {code: header.index(code) for code in codes}
    responses.write_row(0, 0, header)
    comments.write_row(0, 0, ["response_id", "question_id", "answer"])
    counts: dict[str, Counter[Any]] = {code: Counter() for code in codes}
    connection = sqlite3.connect(path)
    rows = connection.execute(STREAM_QUERY, (round_id,))
    c = 0
    grouped = groupby(rows, key=lambda row: row[:3])
    for r, ((rid, language, submitted, *_), answers) in enumerate(grouped, start=1):
        responses.write_row(r, 0, [rid, language, submitted])
        for *_, qid, raw in answers:
            value = json.loads(raw) if isinstance(raw, str) else raw
            if value is None:
                responses.write_string(r, column[qid], "NA")
            elif isinstance(value, str) and _kind(int(qid[1:])) == "text":
                responses.write_string(r, column[qid], value)
                c += 1
                comments.write_row(c, 0, [rid, qid, value])
            else:
                responses.write(r, column[qid], value)
            labels = LABELS.get(qid)
            if labels is not None:
                responses.write_string(r, column[qid] + 1, labels[value])
            counts[qid][value if _kind(int(qid[1:])) != "text" else ""] += 1
    connection.close()
    _bare_summary(book, summary, counts)
    book.close()


def labelled_header() -> list[str]:
    """The 40 questions' columns, each coded one followed by its label column."""
    header: list[str] = []
    for code in (f"q{i:02d}" for i in range(QUESTIONS)):
        header += [code, f"{code} (label)"] if code in LABELS else [code]
    return header


def with_labels(row: list[Any]) -> list[Any]:
    """The 40 values of a row, each coded one followed by its label."""
    cells: list[Any] = []
    for i, value in enumerate(row):
        cells.append(value)
        labels = LABELS.get(f"q{i:02d}")
        if labels is not None:
            cells.append(labels[value])
    return cells


def _bare_summary(book: Any, sheet: Any, counts: dict[str, Any]) -> None:
    top = 0
    for qid, counted in counts.items():
        sheet.write_row(top, 0, [qid, f"Question {qid}"])
        values = sorted(counted.items(), key=lambda item: str(item[0]))
        for i, (value, count) in enumerate(values, start=1):
            sheet.write_row(top + i, 1, ["NA" if value is None else value, count])
        chart = book.add_chart({"type": "bar"})
        last = top + len(values)
        chart.add_series(
            {
                "name": ["Summary", top, 1],
                "categories": ["Summary", top + 1, 1, last, 1],
                "values": ["Summary", top + 1, 2, last, 2],
            }
        )
        sheet.insert_chart(top, 4, chart)
        top = last + 10


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
    if step == "stream":
        bare_stream(url.removeprefix("sqlite:///"), round_id, out)
    elif step == "bare":
        frame = pd.DataFrame(map(with_labels, values(n)), columns=labelled_header())
        frame.to_excel(out, engine="xlsxwriter", index=False)
    else:
        with Session(make_engine(url)) as session:
            round_ = session.get_one(Round, round_id)
            if step == "xlsx":
                write_summary(session, round_, out)
            else:
                write_tidy_csv(session, round_, out)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": own_peak_mb()}))


def own_peak_mb() -> float:
    """This process's peak RSS in MB: VmHWM, the high-water mark of its own memory map.

    Not ru_maxrss: Linux carries the parent's peak RSS over fork and exec into the child's
    ru_maxrss, so every step reported at least the RSS the parent had reached generating
    the data (229 MB at 100,000 responses, whatever the step did).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(step: str, url: str, round_id: int, n: int, out: Path) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", step, url, str(round_id), str(n), str(out)]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def prepare(directory: Path, n: int) -> tuple[str, int]:
    """The database in `directory`, generated unless an earlier run left one of N there."""
    directory.mkdir(parents=True, exist_ok=True)
    made = directory / f"round-{n}.txt"
    if made.exists():
        return f"sqlite:///{directory / 'bench.db'}", int(made.read_text())
    url, round_id = generate(directory, n)
    made.write_text(str(round_id))
    return url, round_id


def _ratios(f: dict[str, float], figures: dict[str, dict[str, float]]) -> str:
    """Time, CPU and memory against the bare streamed write and the pandas write."""
    said = ""
    for floor in ("stream", "bare"):
        if floor in figures and f is not figures[floor]:
            b = figures[floor]
            said += (
                f"  vs {floor}: {f['seconds'] / b['seconds']:.2f}x time,"
                f" {f['cpu'] / b['cpu']:.2f}x CPU, {f['peak_mb'] / b['peak_mb']:.2f}x memory"
            )
    return said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1000, help="responses (default 1000)")
    parser.add_argument("--data", type=Path, help="keep (and reuse) the database in this folder")
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.data or Path(tmp)
        started = time.perf_counter()
        url, round_id = prepare(directory, args.n)
        took = time.perf_counter() - started
        print(f"{args.n} responses x {QUESTIONS} questions ready in {took:.1f} s")
        figures = {
            s: measure(s, url, round_id, args.n, Path(tmp) / f"{s}.{EXTENSIONS[s]}")
            for s in args.steps
        }
    for step, f in figures.items():
        print(
            f"{step:>6}: {f['seconds']:7.1f} s ({f['cpu']:6.1f} s CPU)"
            f"  {f['peak_mb']:5.0f} MB peak RSS" + _ratios(f, figures)
        )
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} (wall times suffer)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    else:
        main()
