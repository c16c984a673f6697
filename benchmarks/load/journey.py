"""The respondent's journey under load: shared by benchmarks/load/run.py and the tests.

Import it from a test or another script with::

    sys.path.insert(0, str(ROOT / "benchmarks" / "load"))
    import journey

The pieces, each usable on its own:

* ``start_gunicorn(database_url, workers, env) -> Server``: gunicorn with the project's
  ``gunicorn.conf.py`` as a child process on a free port of 127.0.0.1; ``server.base_url``,
  ``server.worker_pids()``, ``server.log_text()``, ``server.stop()`` (SIGTERM to its own
  PID, SIGKILL to its own PIDs after a timeout; never anything by name).
* ``create_postgres_database(admin_url) -> url`` / ``drop_postgres_database(admin_url, url)``.
* ``prepare_database(database_url, invitations) -> Fixture``: migrates, adds the demo
  data and opens a round of the demo survey with ``invitations`` personal links.
* ``run_respondents(base_url, fixture, users, seconds) -> RunResult``: ``users``
  concurrent respondents (asyncio, one cookie jar each) play open link → every page (GET,
  then POST with the CSRF token scraped from the form) → review → submit → thanks, each
  on a fresh link, then again on their own links (edit and resubmit), until ``seconds``
  pass. ``result.ops`` lists every save and submit with whether it was acknowledged (a
  2xx/3xx reply); ``result.steps`` has the latencies per step.
* ``check_database(database_url, fixture, result) -> Check``: every acknowledged save
  and submit is in the database exactly once: ``check.lost``, ``check.duplicated``,
  ``check.unexpected`` and ``check.problems``. A save or submit that got no reply (a
  killed worker, a timeout) may or may not be there; both are accepted, nothing else.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from surveyapp import migrate  # noqa: E402
from surveyapp.db import make_engine  # noqa: E402
from surveyapp.definitions import Question, Section, Survey, load_snapshot  # noqa: E402
from surveyapp.definitions import visible_questions as _visible  # noqa: E402
from surveyapp.definitions.registry import SurveyRegistry  # noqa: E402
from surveyapp.models import Answer, Invitation, Participant, Response  # noqa: E402
from surveyapp.services import demo, rounds  # noqa: E402
from surveyapp.services.audit import Actor  # noqa: E402
from surveyapp.services.response_reads import condition_values, hidden_answer_ids  # noqa: E402

DEMO_SURVEY = demo.DEMO_SURVEY
LOAD_GROUP = "load"
ABSENT = "<absent>"  # an answer that must not be stored
STEPS = ("open", "page", "save", "review", "submit", "thanks")
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
LOCKED = b"database is locked"


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A gunicorn master started by us; only its own PIDs are ever signalled."""

    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    workers: int

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> list[int]:
        """PIDs of the master's current worker processes (from /proc)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            return []

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM the master (graceful); SIGKILL it and its workers after `timeout`."""
        if self.process.poll() is not None:
            return self.process.returncode
        workers = self.worker_pids()
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            for pid in [self.pid, *workers]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            return self.process.wait(5)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def start_gunicorn(
    database_url: str,
    workers: int = 4,
    env: Mapping[str, str] | None = None,
    *,
    app: str = "wsgi:app",
    port: int | None = None,
    log_path: Path | None = None,
    extra_args: Sequence[str] = (),
    ready_timeout: float = 60.0,
) -> Server:
    """Start gunicorn (gunicorn.conf.py) on 127.0.0.1 and wait until every worker answers.

    `env` adds to (and overrides) this process's environment; SECRET_KEY, SURVEYS_DIR and
    EXPORTS_DIR get test values unless given. The log (access and error) goes to `log_path`.
    """
    port = port or free_port()
    log_path = log_path or Path(os.environ.get("TMPDIR", "/tmp")) / f"gunicorn-{port}.log"
    full_env = {
        **os.environ,
        "SECRET_KEY": "load-test-" + uuid.uuid4().hex,
        "SURVEYS_DIR": str(ROOT / "surveys"),
        "EXPORTS_DIR": str(log_path.parent / f"exports-{port}"),
        **(env or {}),
        "DATABASE_URL": database_url,
        "SURVEYAPP_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
    }
    full_env.pop("FLASK_RUN_FROM_CLI", None)
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*command, *extra_args, app],
            cwd=ROOT,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path, workers)
    try:
        _wait_ready(server, ready_timeout)
    except BaseException:
        server.stop(5)
        raise
    return server


def _wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {server.process.returncode}:\n{server.log_text()[-3000:]}"
            )
        # gunicorn.conf.py logs "surveyapp worker <pid> ready" once a worker has built the app.
        ready = server.log_text().count("surveyapp worker ")
        if ready >= server.workers:
            try:
                with urllib.request.urlopen(server.base_url + "/healthz", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn not ready after {timeout} s:\n{server.log_text()[-3000:]}")


# --------------------------------------------------------------------------- databases


def create_postgres_database(admin_url: str, prefix: str = "surveyapp_load") -> str:
    """Create an empty database next to `admin_url`'s; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@dataclass
class Fixture:
    """The round the respondents answer, and its personal links."""

    database_url: str
    round_id: int
    tokens: list[str]
    definition_yaml: str

    @property
    def survey(self) -> Survey:
        return load_snapshot(self.definition_yaml)


def prepare_database(
    database_url: str, invitations: int, *, with_demo: bool = True, seed: int = 7
) -> Fixture:
    """Migrate, add the demo data, and open a round with `invitations` personal links.

    Participants are created with Core bulk inserts (languages en, fi, sv in turn); the
    round freezes today's surveys/manual-usability.yaml, like `surveyapp round open`.
    """
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        registry = SurveyRegistry(str(ROOT / "surveys"))
        with Session(engine) as session:
            if with_demo:
                demo.build_demo(session, registry, actor=Actor.from_os())
            tag = uuid.uuid4().hex[:8]
            rng = random.Random(seed)
            people = [
                {
                    "email": f"load-{tag}-{i:05d}@load.example",
                    "name": f"Load respondent {i}",
                    "organisation": "Load test",
                    "city": "Loopback",
                    "country": rng.choice(["FI", "SE", "FR", "DE", "NL"]),
                    "group": f"{LOAD_GROUP}-{tag}",
                    "language": ("en", "fi", "sv")[i % 3],
                }
                for i in range(invitations)
            ]
            for start in range(0, len(people), 1000):
                session.execute(insert(Participant), people[start : start + 1000])
            round_ = rounds.open_round(
                session,
                registry,
                DEMO_SURVEY,
                f"load-{tag}",
                groups=[f"{LOAD_GROUP}-{tag}"],
                actor=Actor.from_os(),
            )
            tokens = list(
                session.scalars(
                    select(Invitation.token)
                    .where(Invitation.round_id == round_.id)
                    .order_by(Invitation.id)
                )
            )
            fixture = Fixture(database_url, round_.id, tokens, round_.definition_yaml)
            session.commit()
    finally:
        engine.dispose()
    return fixture


# --------------------------------------------------------------------------- HTTP client


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def location_path(self) -> str:
        return urlsplit(self.headers.get("location", "")).path


class Browser:
    """A minimal HTTP/1.1 client with one cookie jar; keeps the connection when allowed."""

    keepalive = True  # False: "Connection: close" on every request, as nginx sends by default

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._idle_since = 0.0

    async def request(self, method: str, path: str, form: Iterable[tuple[str, str]] = ()) -> Reply:
        body = urlencode(list(form)).encode() if method == "POST" else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if not self.keepalive:
            head.append("Connection: close")
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            head.append("Content-Type: application/x-www-form-urlencoded")
            head.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        # A kept connection the server may have closed meanwhile is only reused for a GET,
        # which can be sent again safely; a POST opens a fresh one after a pause.
        stale = time.monotonic() - self._idle_since > 1.0
        if self._writer is not None and method != "GET" and stale:
            self.close()
        for attempt in (1, 2):
            reused = self._writer is not None
            try:
                async with asyncio.timeout(self.timeout):
                    if self._writer is None:
                        self._reader, self._writer = await asyncio.open_connection(
                            self.host, self.port
                        )
                    assert self._reader is not None
                    self._writer.write(data)
                    await self._writer.drain()
                    reply, keep = await self._read(self._reader, method)
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                self.close()
                if reused and method == "GET" and attempt == 1:
                    continue
                raise ConnectionError(str(error) or type(error).__name__) from error
            except BaseException:
                self.close()
                raise
            if keep:
                self._idle_since = time.monotonic()
            else:
                self.close()
            self._remember_cookies(reply)
            return reply
        raise AssertionError("unreachable")

    async def _read(self, reader: asyncio.StreamReader, method: str) -> tuple[Reply, bool]:
        raw = await reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        version, status = lines[0].split(" ", 2)[:2]
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookies.append(value)
            headers[name] = value
        keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        code = int(status)
        if method == "HEAD" or code in (204, 304) or 100 <= code < 200:
            body = b""
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await _read_chunked(reader)
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        else:
            body, keep = await reader.read(), False
        reply = Reply(code, headers, body)
        reply.headers["_set-cookie"] = "\n".join(cookies)
        return reply, keep

    def _remember_cookies(self, reply: Reply) -> None:
        for cookie in filter(None, reply.headers.pop("_set-cookie", "").split("\n")):
            pair, _, attributes = cookie.partition(";")
            name, _, value = pair.strip().partition("=")
            expired = "max-age=0" in attributes.lower() or "1970" in attributes
            if expired or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def close(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
        self._reader = self._writer = None


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


# --------------------------------------------------------------------------- statistics


@dataclass
class StepStats:
    """Latencies (seconds) of the replies of one step, their statuses, and failures."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: int = 0  # no reply: connection refused or reset, timeout

    def add(self, seconds: float, status: int) -> None:
        self.latencies.append(seconds)
        self.statuses[status] += 1

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
        return ordered[rank - 1] * 1000

    def summary(self, seconds: float) -> dict[str, Any]:
        count = len(self.latencies)
        return {
            "count": count,
            "rps": count / seconds if seconds else 0.0,
            "p50": self.percentile(50),
            "p95": self.percentile(95),
            "p99": self.percentile(99),
            "errors": sum(n for s, n in self.statuses.items() if s >= 400) + self.failures,
            "5xx": sum(n for s, n in self.statuses.items() if s >= 500),
        }


@dataclass
class Op:
    """One save or submit sent by a respondent; `acked` when a 2xx/3xx reply came back."""

    kind: str  # "save" or "submit"
    token: str
    section: str | None
    status: int | None = None

    @property
    def acked(self) -> bool:
        return self.status is not None and 200 <= self.status < 400


@dataclass
class TokenState:
    """What the database may hold for one link after the run."""

    token: str
    acceptable: dict[str, set[str]] = field(default_factory=dict)  # key -> JSON values
    latest: dict[str, Any] = field(default_factory=dict)  # answers as last sent
    saves_acked: int = 0
    submits_acked: int = 0
    submits_sent: int = 0

    def sent(self, keys: Iterable[str], values: Mapping[str, Any]) -> None:
        """A save or submit is on its way: its outcome may or may not be stored."""
        for key in keys:
            new = _json(values[key]) if key in values else ABSENT
            self.acceptable.setdefault(key, {ABSENT}).add(new)
            if key in values:
                self.latest[key] = values[key]
            else:
                self.latest.pop(key, None)

    def acknowledged(self, keys: Iterable[str], values: Mapping[str, Any]) -> None:
        for key in keys:
            self.acceptable[key] = {_json(values[key]) if key in values else ABSENT}


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@dataclass
class RunResult:
    seconds: float
    steps: dict[str, StepStats]
    ops: list[Op]
    states: dict[str, TokenState]
    journeys: int = 0  # completed, from the link to the thanks page
    errors: list[str] = field(default_factory=list)  # samples
    locked: int = 0  # replies whose body mentions "database is locked"

    @property
    def acknowledged(self) -> list[Op]:
        return [op for op in self.ops if op.acked]

    @property
    def server_errors(self) -> int:
        return sum(s.summary(self.seconds)["5xx"] for s in self.steps.values())

    @property
    def failures(self) -> int:
        return sum(s.failures for s in self.steps.values())

    def summary(self) -> dict[str, dict[str, Any]]:
        return {name: stats.summary(self.seconds) for name, stats in self.steps.items()}


# --------------------------------------------------------------------------- respondents


class JourneyError(Exception):
    """A reply that a respondent's browser would not expect."""


class OutOfTime(Exception):
    """The run's time is up: the journey stops before its next request."""


def form_fields(q: Question, value: Any, other: str | None) -> list[tuple[str, str]]:
    """The posted fields of one answer, as the page's form sends them."""
    if q.kind.shape == "rows":
        return [(f"{q.id}.{row}", str(v)) for row, v in value.items()]
    fields = [(q.id, "na")] if value is None else []
    if q.kind.shape == "many" and value is not None:
        fields = [(q.id, str(v)) for v in value]
    elif value is not None:
        fields = [(q.id, str(value))]
    if other is not None:
        fields.append((f"{q.id}.other", other))
    return fields


def answer_for(q: Question, rng: random.Random) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A plausible answer as stored ({key: value}) and as posted (form fields)."""
    if q.na and rng.random() < 0.05:  # only a likert question offers "not applicable"
        return {q.id: None}, form_fields(q, None, None)
    value = demo.demo_value(q, rng)
    stored: dict[str, Any] = {}
    other = None
    if q.kind.is_free_text:
        value = str(value).strip()
    elif q.kind.shape == "many":
        chosen = set(value)
        value = [o.value for o in q.options if o.value in chosen]
        if q.other and rng.random() < 0.1 and (not q.max_choices or len(value) < q.max_choices):
            other = "Other text from the load test"
            value = [*value, "other"]
    elif q.other and rng.random() < 0.1:  # a single choice: multi is handled above
        other, value = "Other text from the load test", "other"
    stored[q.id] = value
    if other is not None:
        stored[f"{q.id}.other"] = other
    return stored, form_fields(q, value, other)


def section_keys(section: Section) -> set[str]:
    """Every stored key a save of this page replaces (RELIABILITY: every page sent is saved)."""
    answerable = [q.id for q in section.questions if q.is_answerable]
    return set(answerable) | {f"{qid}.other" for qid in answerable}


class Respondents:
    """`users` concurrent respondents for `seconds`; see run_respondents."""

    def __init__(
        self,
        base_url: str,
        survey: Survey,
        tokens: Sequence[str],
        *,
        users: int,
        seconds: float,
        seed: int,
        timeout: float,
        think: float,
    ) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.survey = survey
        self.fresh = deque(tokens)
        self.users, self.seconds, self.timeout, self.think = users, seconds, timeout, think
        self.rng = random.Random(seed)
        self.steps = {name: StepStats() for name in STEPS}
        self.ops: list[Op] = []
        self.states: dict[str, TokenState] = {}
        self.errors: list[str] = []
        self.locked = 0
        self.journeys = 0
        self.deadline = 0.0

    async def run(self) -> RunResult:
        start = time.monotonic()
        self.deadline = start + self.seconds
        tasks = [asyncio.create_task(self._user(i)) for i in range(self.users)]
        # Requests still running at the deadline get their own timeout to finish, no more.
        _done, pending = await asyncio.wait(tasks, timeout=self.seconds + self.timeout + 5)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        elapsed = min(time.monotonic(), self.deadline) - start
        return RunResult(
            elapsed,
            self.steps,
            self.ops,
            self.states,
            self.journeys,
            self.errors,
            self.locked,
        )

    async def _user(self, index: int) -> None:
        rng = random.Random(self.rng.random())
        own: list[str] = []
        await asyncio.sleep(rng.random() * 0.2)  # do not all knock at once
        while time.monotonic() < self.deadline:
            if self.fresh:
                token = self.fresh.popleft()
                own.append(token)
                self.states[token] = TokenState(token)
            elif own:
                token = rng.choice(own)  # edit and submit again, as the last one counts
            else:
                return
            browser = Browser(self.host, self.port, self.timeout)
            try:
                if await self._journey(browser, self.states[token], rng):
                    self.journeys += 1
            except JourneyError as error:
                self._error(str(error))
                await asyncio.sleep(0.05)
            except (OSError, TimeoutError, ValueError, asyncio.LimitOverrunError) as error:
                self._error(f"user {index}: {type(error).__name__}: {error}")
                await asyncio.sleep(0.05)
            finally:
                browser.close()

    def _error(self, message: str) -> None:
        if len(self.errors) < 50:
            self.errors.append(message)

    async def _step(
        self, browser: Browser, step: str, method: str, path: str, form: Any = ()
    ) -> Reply:
        self._check_time()
        begin = time.monotonic()
        try:
            reply = await browser.request(method, path, form)
        except (OSError, TimeoutError):
            self.steps[step].failures += 1
            raise
        self.steps[step].add(time.monotonic() - begin, reply.status)
        if LOCKED in reply.body:
            self.locked += 1
        if self.think:
            await asyncio.sleep(self.think)
        return reply

    def _check_time(self) -> None:
        if time.monotonic() >= self.deadline:
            raise OutOfTime

    def _expect(self, reply: Reply, step: str, *statuses: int) -> None:
        if reply.status not in statuses:
            snippet = re.sub(rb"\s+", b" ", reply.body[:300]).decode("utf-8", "replace")
            raise JourneyError(f"{step}: HTTP {reply.status} {snippet}")

    async def _journey(self, browser: Browser, state: TokenState, rng: random.Random) -> bool:
        """One pass from the link to the thanks page; False when the time ran out on the way."""
        token = state.token
        try:
            reply = await self._step(browser, "open", "GET", f"/s/{token}")
            self._expect(reply, "open", 200)
            path = f"/s/{token}/p/{self._visible_sections(state.latest)[0].id}"
            for _page in range(len(self.survey.sections) + 2):
                reply = await self._step(browser, "page", "GET", path)
                self._expect(reply, "page", 200)
                section = self.survey.section(path.rsplit("/", 1)[1])
                form, values = self._fill(section, state, rng, _csrf(reply))
                keys = section_keys(section)
                self._check_time()
                op = Op("save", token, section.id)
                self.ops.append(op)
                state.sent(keys, values)
                reply = await self._step(browser, "save", "POST", path, form)
                op.status = reply.status
                if op.acked:
                    state.acknowledged(keys, values)
                    state.saves_acked += 1
                self._expect(reply, "save", 302, 303)
                path = reply.location_path
                if path.endswith("/review"):
                    break
            else:
                raise JourneyError("save: never reached the review page")
            reply = await self._step(browser, "review", "GET", path)
            self._expect(reply, "review", 200)
            await self._submit(browser, state, _csrf(reply))
            reply = await self._step(browser, "thanks", "GET", f"/s/{token}/thanks")
            self._expect(reply, "thanks", 200)
        except OutOfTime:
            return False
        return True

    async def _submit(self, browser: Browser, state: TokenState, csrf: str) -> None:
        hidden = hidden_answer_ids(self.survey, state.latest)
        self._check_time()
        op = Op("submit", state.token, None)
        self.ops.append(op)
        state.sent(hidden, {})
        state.submits_sent += 1
        form = [("csrf_token", csrf)]
        reply = await self._step(browser, "submit", "POST", f"/s/{state.token}/review", form)
        op.status = reply.status
        if op.acked:
            state.acknowledged(hidden, {})
            state.submits_acked += 1
        self._expect(reply, "submit", 302, 303)

    def _visible_sections(self, answers: Mapping[str, Any]) -> list[Section]:
        shown = _visible(self.survey, condition_values(answers))
        return [s for s in self.survey.sections if any(q.id in shown for q in s.questions)]

    def _fill(
        self, section: Section, state: TokenState, rng: random.Random, csrf: str
    ) -> tuple[list[tuple[str, str]], dict[str, Any]]:
        """Answer every visible question of the page (optional ones 80 % of the time)."""
        keys = section_keys(section)
        others = {k: v for k, v in state.latest.items() if k not in keys}
        values: dict[str, Any] = {}
        fields: dict[str, list[tuple[str, str]]] = {}
        for q in section.questions:
            shown = _visible(self.survey, condition_values({**others, **values}))
            if not q.is_answerable or q.id not in shown:
                continue
            if q.required or rng.random() < 0.8:
                stored, posted = answer_for(q, rng)
                values.update(stored)
                fields[q.id] = posted
        shown = _visible(self.survey, condition_values({**others, **values}))
        values = {k: v for k, v in values.items() if k.split(".", 1)[0] in shown}
        form = [("csrf_token", csrf), ("action", "next")]
        form.append(("_shown", " ".join(q.id for q in section.questions if q.id in shown)))
        for qid, posted in fields.items():
            if qid in shown:
                form.extend(posted)
        return form, values


def _csrf(reply: Reply) -> str:
    found = CSRF.search(reply.body)
    if not found:
        raise JourneyError("no CSRF token in the form")
    return found.group(1).decode()


def run_respondents(
    base_url: str,
    fixture: Fixture,
    *,
    users: int,
    seconds: float,
    seed: int = 1,
    timeout: float = 30.0,
    think: float = 0.0,
    tokens: Sequence[str] | None = None,
) -> RunResult:
    """`users` respondents answer `fixture`'s round through `base_url` for `seconds`.

    Each takes a fresh personal link per journey while there are any, then edits and
    resubmits its own. No think time by default: every respondent sends its next request
    as soon as the last reply came. Bounded: returns at most `timeout` + 5 s after
    `seconds`; requests cut off at the end count as sent but not acknowledged.
    """
    respondents = Respondents(
        base_url,
        fixture.survey,
        tokens if tokens is not None else fixture.tokens,
        users=users,
        seconds=seconds,
        seed=seed,
        timeout=timeout,
        think=think,
    )
    # A thread of its own: the caller's thread may already run an event loop (pytest-playwright's
    # sync API leaves one running after the browser tests), and asyncio.run refuses to nest.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, respondents.run()).result()


# --------------------------------------------------------------------------- checking


@dataclass
class Check:
    """Acknowledged work missing (lost), stored twice (duplicated), or wrongly kept."""

    tokens: int = 0
    answers: int = 0
    saves_acked: int = 0
    submits_acked: int = 0
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and self.unexpected == 0

    def problem(self, message: str) -> None:
        if len(self.problems) < 30:
            self.problems.append(message)


def check_database(database_url: str, fixture: Fixture, result: RunResult) -> Check:
    """Compare the database with what the respondents were told (see the module doc)."""
    check = Check(tokens=len(result.states))
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            _check(conn, fixture, result, check)
    finally:
        engine.dispose()
    return check


def _check(conn: Any, fixture: Fixture, result: RunResult, check: Check) -> None:
    round_id = fixture.round_id
    per_invitation = conn.execute(
        select(Response.invitation_id, func.count())
        .where(Response.round_id == round_id)
        .group_by(Response.invitation_id)
        .having(func.count() > 1)
    ).all()
    for invitation_id, count in per_invitation:
        check.duplicated += count - 1
        check.problem(f"invitation {invitation_id}: {count} responses")
    per_question = conn.execute(
        select(Answer.response_id, Answer.question_id, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(Response.round_id == round_id)
        .group_by(Answer.response_id, Answer.question_id)
        .having(func.count() > 1)
    ).all()
    for response_id, question_id, count in per_question:
        check.duplicated += count - 1
        check.problem(f"response {response_id}: {count} answers to {question_id}")
    responses = {
        token: (rid, status, submissions)
        for token, rid, status, submissions in conn.execute(
            select(Invitation.token, Response.id, Response.status, Response.submission_count)
            .join(Response, Response.invitation_id == Invitation.id)
            .where(Invitation.round_id == round_id, Response.round_id == round_id)
        )
    }
    answers: dict[int, dict[str, Any]] = {}
    for response_id, question_id, value in conn.execute(
        select(Answer.response_id, Answer.question_id, Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.round_id == round_id)
    ):
        answers.setdefault(response_id, {})[question_id] = value
    for token, state in result.states.items():
        check.saves_acked += state.saves_acked
        check.submits_acked += state.submits_acked
        response_id, status, submissions = responses.get(token, (None, None, 0))
        stored = answers.get(response_id, {}) if response_id is not None else {}
        for key in set(state.acceptable) | set(stored):
            check.answers += 1
            have = _json(stored[key]) if key in stored else ABSENT
            allowed = state.acceptable.get(key, {ABSENT})
            if have in allowed:
                continue
            if ABSENT in allowed and len(allowed) == 1:
                check.unexpected += 1
                check.problem(f"{token[:6]}…: {key} stored ({have}) but should not be")
            else:
                check.lost += 1
                check.problem(f"{token[:6]}…: {key} is {have}, acknowledged {sorted(allowed)}")
        submissions = submissions or 0
        if submissions < state.submits_acked or (state.submits_acked and status != "submitted"):
            check.lost += max(state.submits_acked - submissions, 1)
            check.problem(
                f"{token[:6]}…: {submissions} submissions ({status}), "
                f"{state.submits_acked} acknowledged"
            )
        if submissions > state.submits_sent:
            check.duplicated += submissions - state.submits_sent
            check.problem(f"{token[:6]}…: {submissions} submissions, {state.submits_sent} sent")
