"""Time the participant CSV import of the largest accepted upload (2 MB, ~20,000 rows).

    .venv/bin/python benchmarks/import_participants.py                   # SQLite
    .venv/bin/python benchmarks/import_participants.py --db postgresql   # and PostgreSQL

Generates a realistic file (accented names, several countries, groups and languages, ~1 %
bad rows), then times `import_participants` plus the commit into a fresh, migrated
database: a first import, then a re-import of the same people with 10 % of them changed
and 2 % new. PostgreSQL uses its own database on $BENCH_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres), created and dropped here. Each
figure is the median of --repeat runs, each on a fresh database. Not part of the tests.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from surveyapp import migrate  # noqa: E402  (after the path is set)
from surveyapp.db import make_engine  # noqa: E402
from surveyapp.services.audit import Actor  # noqa: E402
from surveyapp.services.participants import import_participants  # noqa: E402

SEED = 20261126
ROWS = 20_000
MAX_BYTES = 2 * 1024 * 1024  # config.MAX_CONTENT_LENGTH
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
HEADER = "email,name,organisation,city,country,group,language"
FIRST = [
    "Anna",
    "Jussi",
    "Åsa",
    "José",
    "Zoë",
    "Björn",
    "Łukasz",
    "Chloé",
    "Jürgen",
    "Inês",
    "Søren",
    "Ángel",
    "Märta",
    "François",
]
LAST = [
    "Virtanen",
    "Mäkelä",
    "Öberg",
    "Núñez",
    "Dupont",
    "Schmidt",
    "Wójcik",
    "de Vries",
    "Østergaard",
    "García",
]
PLACES = [
    ("Helsinki", "Finland", "fi"),
    ("Vaasa", "Suomi", "sv"),
    ("Malmö", "Sverige", "sv"),
    ("München", "Deutschland", "de"),
    ("Lyon", "France", "fr"),
    ("Sevilla", "España", "es"),
    ("Kraków", "Polska", "pl"),
    ("Gent", "België", "nl"),
    ("Milano", "Italia", "it"),
    ("Porto", "Portugal", "pt"),
    ("Tallinn", "Eesti", "et"),
    ("Dublin", "Ireland", "en"),
]
GROUPS = ["pilot-1", "pilot-2", "procurement", "validation-group", "city-network", ""]
BAD_ROWS = ["not-an-email,{name},,,,,", ",{name},,,,,en", "{email},{name},,,,,Klingon"]


def person(i: int, rng: random.Random) -> list[str]:
    """One row's cells: the email and place follow i; the rest is seeded noise."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city, country, language = PLACES[i % len(PLACES)]
    email = f"{first}.{last}{i}@{city}.eu".replace(" ", "").lower()
    organisation = f"{city} – unit {i % 97}"
    language = rng.choice([language, language.upper(), "", "English"])
    return [email, f'"{last}, {first}"', organisation, city, country, rng.choice(GROUPS), language]


def make_csv(rows: int = ROWS, changed: float = 0.0, new: float = 0.0) -> bytes:
    """A participant file; `changed` of the people get another organisation, `new` are added."""
    rng, lines = random.Random(SEED), [HEADER]
    for i in range(rows + int(rows * new)):
        cells = person(i, rng)
        if i % 100 == 37:  # ~1 % bad rows
            lines.append(BAD_ROWS[i % 3].format(name=cells[1], email=cells[0]))
            continue
        if i < rows and (i * 7919) % 1000 < changed * 1000:
            cells[2] = f"{cells[3]} – uusi yksikkö"
        lines.append(",".join(cells))
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    assert len(data) <= MAX_BYTES, f"{len(data)} bytes is over the upload limit"
    return data


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/bench.db"


@contextmanager
def postgres_url() -> Iterator[str]:
    admin_url = make_url(os.environ.get("BENCH_POSTGRES_URL", POSTGRES_URL))
    name = f"surveyapp_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def timed_import(session: Session, data: bytes) -> tuple[float, float, str]:
    """Wall and CPU seconds of one import with its commit, and what it reported."""
    wall, cpu = time.perf_counter(), time.process_time()
    report = import_participants(session, data, actor=Actor.from_os())
    session.commit()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    counts = f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged"
    return wall, cpu, f"{counts}, {report.skipped} skipped"


def run(
    database: Callable[[], AbstractContextManager[str]], first: bytes, again: bytes
) -> list[tuple[float, float, str]]:
    """First import and re-import in one fresh database."""
    with database() as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        try:
            with Session(engine) as session:
                return [timed_import(session, first), timed_import(session, again)]
        finally:
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    databases = {"sqlite": sqlite_url, "postgresql": postgres_url}
    first, again = make_csv(), make_csv(changed=0.10, new=0.02)
    print(f"file: {len(first):,} bytes, {ROWS:,} rows; re-import: {len(again):,} bytes")
    for name in ["sqlite"] + [db for db in args.db or [] if db != "sqlite"]:
        runs = [run(databases[name], first, again) for _ in range(args.repeat)]
        for step, label in enumerate(("first import", "re-import")):
            walls = [r[step][0] for r in runs]
            cpus = [r[step][1] for r in runs]
            print(
                f"{name:10} {label:12} median {statistics.median(walls):5.2f} s "
                f"(min {min(walls):5.2f} s), CPU {statistics.median(cpus):5.2f} s"
                f"  [{runs[0][step][2]}]"
            )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
