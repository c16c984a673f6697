"""Hostile posts leave a worker's memory where it was: a bound, not a timing.

gunicorn with one sync worker runs as a child process on a free port of 127.0.0.1 (stopped
by its PID), against a database of its own: a temporary SQLite file, or with
TEST_DATABASE_URL a PostgreSQL database created for the module and dropped afterwards. 50
posts of a 2 MB answer to a text question that holds 4,000 characters, with a wrong form
token and again with a valid one, must not grow the worker's resident memory by 30 MB or
more after a warm-up: what is posted is refused by its limit and kept nowhere. The same
server answers a chunked body over MAX_CONTENT_LENGTH with a 413.
"""

from __future__ import annotations

import http.client
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from security_kit import post_chunked

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks" / "load"))

import journey  # noqa: E402

POSTS = 50
ANSWER = 2_000_000  # characters; why_cut holds 4,000 (a multiline text's default)
MAX_GROWTH_MB = 30
LENGTH_MESSAGE = b"Please shorten your answer to 4000 characters (it has 2000000)."
assert str(ANSWER).encode() in LENGTH_MESSAGE


class Site:
    """The gunicorn server, a personal link of its round, and one browser's cookie."""

    def __init__(self, server: journey.Server, token: str) -> None:
        self.server = server
        self.page = f"/s/{token}/p/why"
        address = urlsplit(server.base_url)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 80
        self.cookie = ""

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body or None, headers=headers)
            reply = connection.getresponse()
            data = reply.read()
            cookie = reply.getheader("Set-Cookie")
            if cookie:
                self.cookie = cookie.split(";", 1)[0]
            return reply.status, data
        finally:
            connection.close()

    def form_token(self) -> str:
        status, html = self.request("GET", self.page)
        assert status == 200, status
        found = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert found
        return found.group(1).decode()

    def post_answer(self, token: str, n: int, length: int = ANSWER) -> tuple[int, bytes]:
        """Post answer number `n`: text of `length` characters that no other post has sent."""
        answer = f"{n:07d}" + "x" * (length - 7)
        fields = {"csrf_token": token, "why_cut": answer, "action": "next"}
        return self.request("POST", self.page, urlencode(fields).encode())

    def worker_rss_mb(self) -> float:
        (pid,) = self.server.worker_pids()
        status = Path(f"/proc/{pid}/status").read_text()
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        assert found
        return int(found.group(1)) / 1024


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    admin_url = os.environ.get("TEST_DATABASE_URL", "")
    if not admin_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('memory') / 'memory.db'}"
        return
    url = journey.create_postgres_database(admin_url, prefix="surveyapp_memorytest")
    try:
        yield url
    finally:
        journey.drop_postgres_database(admin_url, url)


@pytest.fixture(scope="module")
def site(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    fixture = journey.prepare_database(database, invitations=2, with_demo=False)
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {"SURVEYAPP_WORKER_CLASS": "sync", "SURVEYAPP_ACCESS_LOG": "off"}
    server = journey.start_gunicorn(database, workers=1, env=env, log_path=log)
    try:
        yield Site(server, fixture.tokens[0])
    finally:
        server.stop()
    assert "Traceback" not in server.log_text()


@pytest.mark.timeout(240)
def test_hostile_posts_do_not_grow_a_worker(site: Site) -> None:
    token = site.form_token()
    (worker,) = site.server.worker_pids()
    sent = iter(range(10_000_000))
    for _ in range(5):  # warm-up: every path once and again, small and large
        site.post_answer("x", next(sent), 100)
        site.post_answer("x", next(sent))
        site.post_answer(token, next(sent))
        site.request("GET", site.page)
    before = site.worker_rss_mb()
    for form_token, status in (("x", 400), (token, 422)):
        for _ in range(POSTS):
            got, page = site.post_answer(form_token, next(sent))
            assert got == status
            assert LENGTH_MESSAGE in page and len(page) < 100_000, "refused by its limit"
    after = site.worker_rss_mb()
    assert site.server.worker_pids() == [worker], "the same worker served every post"
    growth = after - before
    print(f"worker RSS {before:.1f} MB -> {after:.1f} MB (+{growth:.1f} MB)")
    assert growth < MAX_GROWTH_MB, f"{2 * POSTS} posts grew the worker by {growth:.0f} MB"


def test_gunicorn_answers_a_chunked_body_over_the_limit_with_413(site: Site) -> None:
    address = (site.host, site.port)
    limit = 2 * 1024 * 1024
    status, page = post_chunked(address, "/login", b"email=a&password=" + b"p" * (limit + 2**20))
    assert status == 413 and b"larger than 2 MB" in page
    token = site.form_token()
    body = urlencode({"csrf_token": token, "why_cut": "fine", "action": "back"}).encode()
    headers: dict[str, Any] = {"Cookie": site.cookie}
    status, _page = post_chunked(address, site.page, body + b"&pad=" + b"p" * limit, headers)
    assert status == 413
    status, _page = post_chunked(address, site.page, body, headers)
    assert status in (200, 302), "a chunked body within the limit is read whole"
