"""Say whether the PostgreSQL test server is usable, and if not, which part failed.

Usage: pg_probe.py URL  — exit 0 when a connection to URL's database works; otherwise
exit 1 with one line naming the failing part: the server (nothing answers at host:port),
the authentication (the server refused the user), or the database (it does not exist).
"""

from __future__ import annotations

import sys

import psycopg
from sqlalchemy.engine import make_url


def main(url: str) -> int:
    parsed = make_url(url)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    params = {
        "host": parsed.host or "localhost",
        "port": parsed.port or 5432,
        "user": parsed.username or "postgres",
        "password": parsed.password,
        "connect_timeout": 3,
    }
    try:
        psycopg.connect(dbname=parsed.database or "postgres", **params).close()
        return 0
    except psycopg.OperationalError as error:
        text = str(error)
    if "does not exist" in text and "database" in text:
        problem = f"the server at {where} answers, but database {parsed.database!r} does not exist"
    elif "authentication" in text or "password" in text or "role" in text:
        problem = f"the server at {where} refused user {params['user']!r} (authentication)"
    else:
        problem = f"no PostgreSQL server answers at {where}"
    print(problem + " — " + text.strip().splitlines()[-1], file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
