"""Time and size of the results dashboard for N responses x 40 questions.

    .venv/bin/python benchmarks/dashboard.py [N ...]    # default N = 10000

Generates a round in a temporary SQLite database with export.py's generator (30 likert,
4 single choice, 4 ratings, 2 free texts, in the manual's chapters why and how), logs an
editor in through the login form, and times `GET /workspace/rounds/<id>/results` with
Flask's test client: the median of 5 after one warm-up (which fills the definition and
template caches). Against it, the floor: a bare `SELECT question_id, value, count(*) ...
GROUP BY question_id, value` of the same round's submitted answers (the counts the page's
charts are drawn from), median of 5. Prints both, their ratio (target <= 2x) and the
page's size in bytes (target < 500 KB). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from editor_client import editor_client  # noqa: E402
from export import QUESTIONS, generate  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from surveyapp import create_app  # noqa: E402
from surveyapp.db import get_session  # noqa: E402
from surveyapp.models import Answer, Response  # noqa: E402

REPEAT = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[10_000])
    parser.add_argument("--repeat", type=int, default=REPEAT, help="timings per figure")
    args = parser.parse_args()
    print(f"{'responses':>9} {'page ms':>8} {'SQL ms':>8} {'ratio':>6} {'page bytes':>11}")
    for n in args.counts:
        with tempfile.TemporaryDirectory() as tmp:
            page, bare, size = run(Path(tmp), n, args.repeat)
        print(f"{n:>9} {page:>8.0f} {bare:>8.0f} {page / bare:>5.2f}x {size:>11,}")
    print(f"({QUESTIONS} questions; load average {os.getloadavg()[0]:.1f})")


def run(directory: Path, n: int, repeat: int) -> tuple[float, float, int]:
    url, round_id = generate(directory, n)
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "EXPORTS_DIR": str(directory / "exports")}
    )
    client = editor_client(app)
    sizes: list[int] = []

    def page() -> None:
        response = client.get(f"/workspace/rounds/{round_id}/results")
        assert response.status_code == 200
        sizes.append(len(response.get_data()))

    counts = (
        select(Answer.question_id, Answer.value, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(Response.round_id == round_id, Response.status == "submitted")
        .group_by(Answer.question_id, Answer.value)
    )

    def bare() -> None:
        with app.app_context():
            get_session().execute(counts).all()

    figures = median_ms(page, repeat), median_ms(bare, repeat)
    app.extensions["engine"].dispose()
    return figures[0], figures[1], sizes[-1]


def median_ms(step: Callable[[], None], repeat: int) -> float:
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[1:])  # the first warms caches


if __name__ == "__main__":
    main()
