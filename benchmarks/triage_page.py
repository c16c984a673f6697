"""What one page of the triage queue costs as a round's comments grow.

    .venv/bin/python benchmarks/triage_page.py [N ...]     # default: 500 5000 20000
    .venv/bin/python benchmarks/triage_page.py --database-url postgresql+psycopg://... 500 5000

For each N: a fresh database (a temporary SQLite file, or the PostgreSQL database given,
emptied first) with a named round of manual-usability, N submitted responses with one
comment each (bulk inserts, spread over the survey's free-text questions, languages and
groups) brought into triage. Then an editor, logged in through the login form, asks for
page 1 of the triage page (`GET /workspace/rounds/<id>/feedback`) five times, and once
each with a status filter and with a text search. Medians of the wall time, in ms.

The first two figures should not grow with N: the database counts and pages the rows. The
text search reads every matching comment's text (JSON in the database; see
services/feedback_queue.py), so it grows with N, and the figure says by how much.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from editor_client import editor_client  # noqa: E402

from surveyapp import create_app, migrate  # noqa: E402
from surveyapp.db import get_session, make_engine  # noqa: E402
from surveyapp.definitions import SurveyRegistry  # noqa: E402
from surveyapp.models import Answer, Base, Invitation, Participant, Response  # noqa: E402
from surveyapp.services import feedback, rounds  # noqa: E402
from surveyapp.services.audit import Actor  # noqa: E402

SETUP = Actor(name="benchmark")
REPEAT = 5
WORDS = (  # noqa: SIM905  # one line of words reads better than a column
    "contract award supplier market dialogue criteria tender innovation budget procedure"
).split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[500, 5000, 20000])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="views per figure")
    args = parser.parse_args()
    print(f"{'comments':>9} {'page 1':>8} {'page 21':>8} {'status':>8} {'search':>8}  (ms)")
    for n in args.counts:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite:///{tmp}/triage.db"
            figures = run(url, n, Path(tmp), args.repeat)
        print(f"{n:>9} " + " ".join(f"{f:>8.1f}" for f in figures))


def run(url: str, n: int, tmp: Path, repeat: int = REPEAT) -> list[float]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(delete(table))
    engine.dispose()
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "EXPORTS_DIR": str(tmp / "exports")}
    )
    with app.app_context():
        session = get_session()
        round_id = populate(session, n)
        if url.startswith("postgresql"):
            session.commit()
            session.execute(text("ANALYZE"))  # as autovacuum would after a bulk load
        session.commit()
    client = editor_client(app)
    base = f"/workspace/rounds/{round_id}/feedback"
    queries = ("", "?page=21", "?status=new", "?q=tender+award")
    figures = [timed(client, base + query, repeat) for query in queries]
    app.extensions["engine"].dispose()
    return figures


def populate(session: Session, n: int) -> int:
    registry = SurveyRegistry(ROOT / "surveys")
    round_ = rounds.open_round(session, registry, "manual-usability", "0.3", actor=SETUP)
    questions = list(feedback.text_questions(rounds.round_survey(round_)))
    session.flush()
    first = session.scalar(select(Response.id).order_by(Response.id.desc()).limit(1)) or 0
    rng = random.Random(20261207)
    people = [
        {
            "id": first + 1 + k,
            "email": f"p{k}@bench.example",
            "name": f"Person {k}",
            "group": f"g{k % 4}",
            "country": ("FI", "SE", "FR")[k % 3],
            "language": "en",
        }
        for k in range(n)
    ]
    session.execute(insert(Participant), people)
    session.execute(
        insert(Invitation),
        [
            {
                "id": p["id"],
                "round_id": round_.id,
                "participant_id": p["id"],
                "token": f"{p['id']:064x}",
            }
            for p in people
        ],
    )
    session.execute(
        insert(Response),
        [
            {
                "id": p["id"],
                "round_id": round_.id,
                "invitation_id": p["id"],
                "status": "submitted",
                "language": ("en", "fi", "sv")[k % 3],
            }
            for k, p in enumerate(people)
        ],
    )
    session.execute(
        insert(Answer),
        [
            {
                "response_id": p["id"],
                "question_id": questions[k % len(questions)],
                "value": " ".join(rng.choice(WORDS) for _ in range(12)),
            }
            for k, p in enumerate(people)
        ],
    )
    feedback.bring_in_comments(session, round_, actor=SETUP)
    return round_.id


def timed(client: object, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return statistics.median(times[1:])  # the first warms the definition and template caches


if __name__ == "__main__":
    main()
