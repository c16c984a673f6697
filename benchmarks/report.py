"""Time and size of the printable PDF report for N responses x 40 questions.

    .venv/bin/python benchmarks/report.py [N ...]    # default N = 10000

Generates a round in a temporary SQLite database with export.py's generator (as
dashboard.py does), logs an editor in through the login form, and times
`GET /workspace/rounds/<id>/report.pdf?lang=en` with Flask's test client: the median of 3
after one warm-up. Beside it, the dashboard page of the same round (what the report is built
from), so the difference is WeasyPrint's drawing. Prints both, the report's CPU time (this
process's, median: on a busy shared machine the wall time mostly measures the others), the
PDF's size and its pages.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dashboard import median_ms  # noqa: E402
from editor_client import editor_client  # noqa: E402
from export import QUESTIONS, generate  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from surveyapp import create_app  # noqa: E402

REPEAT = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[10_000])
    parser.add_argument("--repeat", type=int, default=REPEAT, help="timings per figure")
    args = parser.parse_args()
    print(
        f"{'responses':>9} {'pdf ms':>8} {'pdf cpu':>8} {'page ms':>8} {'pdf bytes':>10} "
        f"{'pages':>6}"
    )
    for n in args.counts:
        with tempfile.TemporaryDirectory() as tmp:
            pdf, cpu, page, size, pages = run(Path(tmp), n, args.repeat)
        print(f"{n:>9} {pdf:>8.0f} {cpu:>8.0f} {page:>8.0f} {size:>10,} {pages:>6}")
    print(f"({QUESTIONS} questions; load average {os.getloadavg()[0]:.1f})")


def run(directory: Path, n: int, repeat: int) -> tuple[float, float, float, int, int]:
    url, round_id = generate(directory, n)
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "EXPORTS_DIR": str(directory / "exports")}
    )
    client = editor_client(app)
    files: list[bytes] = []
    cpu: list[float] = []

    def pdf() -> None:
        start = time.process_time()
        response = client.get(f"/workspace/rounds/{round_id}/report.pdf?lang=en")
        assert response.status_code == 200
        files.append(response.get_data())
        cpu.append((time.process_time() - start) * 1000)

    def page() -> None:
        assert client.get(f"/workspace/rounds/{round_id}/results?lang=en").status_code == 200

    figures = median_ms(pdf, repeat), median_ms(page, repeat)
    app.extensions["engine"].dispose()
    pages = len(PdfReader(io.BytesIO(files[-1])).pages)
    return figures[0], statistics.median(cpu[1:]), figures[1], len(files[-1]), pages


if __name__ == "__main__":
    main()
