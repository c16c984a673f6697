"""The bare baseline of benchmarks/load/run.py, served by the same gunicorn settings.

* ``GET /bare/page``: Flask + Jinja render a form page (radio-button questions) of about
  ``BARE_PAGE_BYTES`` bytes, the size of our survey pages; no database, no session.
* ``POST /bare/save``: one SQLAlchemy Core transaction inserts a row and, in one bulk
  statement, one row per posted field; then redirects, as our page save does.

It uses surveyapp.db.make_engine, so SQLite gets the same settings as the app (WAL,
BEGIN IMMEDIATE, synchronous=FULL): the floor of a durable write, not of a careless one.
The tables (``bench_bare_*``) are created by run.py before gunicorn starts.

    gunicorn -c gunicorn.conf.py --pythonpath benchmarks/load 'bare_app:create_app()'
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from flask import Flask, redirect, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import JSON, Column, ForeignKey, Integer, MetaData, String, Table, insert

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from surveyapp.db import make_engine  # noqa: E402

metadata = MetaData()
saves = Table(
    "bench_bare_saves",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("page", String(100)),
)
answers = Table(
    "bench_bare_answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("save_id", ForeignKey("bench_bare_saves.id", ondelete="CASCADE")),
    Column("question_id", String(100)),
    Column("value", JSON),
)
LABELS = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
META = ("csrf_token", "action", "_shown")


def _questions(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"q{i}",
            "text": f"Question {i}: how clear was this chapter of the manual for your work?",
            "options": LABELS,
            "chosen": 1 + i % 5,
        }
        for i in range(count)
    ]


def create_app() -> Flask:
    app = Flask(__name__)
    engine = make_engine(os.environ["DATABASE_URL"])
    target = int(os.environ.get("BARE_PAGE_BYTES", "13000"))

    def page(count: int) -> str:
        return render_template(
            "bare_page.html",
            title="Benchmark page",
            number=2,
            total=8,
            csrf="x" * 88,
            questions=_questions(count),
        )

    with app.test_request_context():
        empty, one = len(page(0).encode()), len(page(1).encode())
    count = max(0, round((target - empty) / max(one - empty, 1)))

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return "ok"

    @app.get("/bare/page")
    def bare_page() -> ResponseReturnValue:
        return page(count)

    @app.post("/bare/save")
    def bare_save() -> ResponseReturnValue:
        fields = [(k, v) for k, v in request.form.items(multi=True) if k not in META]
        with engine.begin() as conn:
            save_id = conn.execute(
                insert(saves).values(page=request.form.get("action", "")).returning(saves.c.id)
            ).scalar_one()
            if fields:
                conn.execute(
                    insert(answers),
                    [{"save_id": save_id, "question_id": k, "value": v} for k, v in fields],
                )
        return redirect("/bare/page")

    return app
