"""The database goes away: respondents get a 503 "try again" page that keeps what they sent.

The outage is real, not mocked. On SQLite the database's directory is moved away (after the
pool's connections are closed), so opening the file fails with "unable to open database
file"; a second test holds SQLite's write lock past the busy timeout. On PostgreSQL the app
reaches the server through a TCP forwarder on 127.0.0.1 that the test stops (connections cut,
new ones refused) and starts again, as a server restart or network cut would.
"""

from __future__ import annotations

import logging
import re
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from builders import fresh, post_page, workspace_token
from surveyapp import migrate
from surveyapp.db import make_engine
from surveyapp.models import Invitation, Response
from surveyapp.services import response_reads

TYPED_TEXT = 'He said "no" <b>&amp;</b>\nthen: äöå – 1 < 2'


class TcpForwarder:
    """127.0.0.1:<port> → the database server; stop() cuts every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._acceptor: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR on POSIX
        listener.settimeout(0.05)
        self._stopping.clear()
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._acceptor.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)  # the listener is closed when this returns
        with self._lock:
            sockets, self._open = self._open, set()
        for s in sockets:
            _close(s)

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while not self._stopping.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                try:
                    server = socket.create_connection(self.target, timeout=5)
                except OSError:
                    _close(client)
                    continue
                client.settimeout(None)
                server.settimeout(None)
                with self._lock:
                    self._open.update((client, server))
                for source, sink in ((client, server), (server, client)):
                    threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _close(source)
        _close(sink)


def _close(s: socket.socket) -> None:
    with suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    s.close()


class Outage:
    """A database the test can take away and give back; `url` is what the app connects to."""

    def __init__(self, url: str, down: Callable[[Flask], Any]) -> None:
        self.url = url
        self._down = down

    @contextmanager
    def down(self, app: Flask, session: Session) -> Iterator[None]:
        session.close()  # the test's own connection would be cut with the app's
        with self._down(app):
            yield


@pytest.fixture
def outage(database_url: str, tmp_path: Path) -> Iterator[Outage]:
    if database_url.startswith("sqlite"):
        yield _sqlite_outage(tmp_path)
        return
    url = make_url(database_url)
    forwarder = TcpForwarder((url.host or "127.0.0.1", url.port or 5432))
    forwarder.start()

    @contextmanager
    def down(_app: Flask) -> Iterator[None]:
        forwarder.stop()
        try:
            yield
        finally:
            forwarder.start()

    proxied = url.set(host="127.0.0.1", port=forwarder.port)
    try:
        yield Outage(proxied.render_as_string(hide_password=False), down)
    finally:
        forwarder.stop()


def _sqlite_outage(tmp_path: Path) -> Outage:
    """A database of its own in a directory that goes away (a lost mount, a moved volume)."""
    directory = tmp_path / "data"
    directory.mkdir()
    url = f"sqlite:///{directory / 'surveyapp.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()

    @contextmanager
    def down(app: Flask) -> Iterator[None]:
        app.extensions["engine"].dispose()  # open connections would still reach the moved file
        away = directory.with_name("data-away")
        directory.rename(away)
        try:
            yield
        finally:
            away.rename(directory)

    return Outage(url, down)


@pytest.fixture
def app_config(app_config: dict[str, Any], outage: Outage) -> dict[str, Any]:
    app_config["DATABASE_URL"] = outage.url
    app_config["PROPAGATE_EXCEPTIONS"] = False  # an unhandled error is a 500 page, as in production
    return app_config


class _Forms(HTMLParser):
    """Every form's action and its fields (name, value) in order, values unescaped."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.forms.append((found.get("action") or "", []))
        elif tag == "input" and self.forms and found.get("name"):
            self.forms[-1][1].append((found["name"] or "", found.get("value") or ""))


def forms_of(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def page_fields(client: FlaskClient, url: str) -> list[tuple[str, str]]:
    """The hidden fields and form token of a survey page, as a browser would send them."""
    html = client.get(url).get_data(as_text=True)
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token, f"no form token on {url}"
    return [*fields, ("csrf_token", token.group(1))]


def assert_try_again_page(response: Any) -> str:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Cache-Control"] == "no-store"
    html: str = response.get_data(as_text=True)
    assert "<h1>" in html
    assert "Traceback" not in html and "OperationalError" not in html
    return html


def stored_answers(session: Session, invitation: Any) -> dict[str, Any]:
    response = (
        fresh(session)
        .scalars(select(Response).where(Response.invitation_id == invitation.id))
        .one_or_none()
    )
    return response_reads.load_answers(session, response)


PAGES = {
    "about": (
        [("role", "other"), ("role.other", 'Buyer "chief" <i>&</i> äöå'), ("years", "12")],
        {"role": "other", "role.other": 'Buyer "chief" <i>&</i> äöå', "years": 12},
    ),
    "why": (
        [("why_clarity", "2"), ("why_missing", TYPED_TEXT), ("why_tools.canvas", "4")],
        {"why_clarity": 2, "why_missing": TYPED_TEXT, "why_tools": {"canvas": 4}},
    ),
    "overall": (
        [("chapters_read", "why"), ("chapters_read", "how"), ("overall_usefulness", "7")],
        {"chapters_read": ["why", "how"], "overall_usefulness": 7},
    ),
}


@pytest.mark.parametrize("section", list(PAGES))
def test_a_page_sent_while_the_database_is_down_comes_back_to_send_again(
    app: Flask,
    client: FlaskClient,
    session: Session,
    outage: Outage,
    invitation: Invitation,
    section: str,
) -> None:
    url = f"/s/{invitation.token}/p/{section}"
    typed, expected = PAGES[section]
    sent = [*page_fields(client, url), *typed, ("action", "next")]
    with outage.down(app, session):
        answer = client.post(url, data=_multidict(sent))
        html = assert_try_again_page(answer)
        assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").status_code == 200
    assert stored_answers(session, invitation) == {}, "nothing was saved during the outage"
    (action, fields), *_ = forms_of(html)
    assert action == url
    assert fields == sent, "every posted field comes back, in order, exactly as typed"
    again = client.post(action, data=_multidict(fields))
    assert again.status_code == 302, again.get_data(as_text=True)
    stored = stored_answers(session, invitation)
    assert {k: stored.get(k) for k in expected} == expected


def test_an_expired_form_token_while_the_database_is_down_still_keeps_the_answers(
    app: Flask,
    client: FlaskClient,
    session: Session,
    outage: Outage,
    invitation: Invitation,
) -> None:
    """The CSRF handler reads the database itself; its failure must not become a 500."""
    url = f"/s/{invitation.token}/p/about"
    typed, _expected = PAGES["about"]
    sent = [("csrf_token", "expired"), *typed, ("action", "next")]
    with outage.down(app, session):
        html = assert_try_again_page(client.post(url, data=_multidict(sent)))
    (action, fields), *_ = forms_of(html)
    assert (action, fields) == (url, sent)
    again = client.post(action, data=_multidict(fields))
    assert again.status_code == 400  # the token is still expired: the page comes back filled in
    assert "Buyer &#34;chief&#34;" in again.get_data(as_text=True)


def test_an_over_long_value_sent_while_the_database_is_down_is_not_echoed_whole(
    app: Flask,
    client: FlaskClient,
    session: Session,
    outage: Outage,
    invitation: Invitation,
) -> None:
    """The survey (so each question's limit) is out of reach: a value is held to the longest
    answer any question accepts, plus one character, so sending it again still gets its
    question's message; a field name no form of ours has is not sent back at all."""
    from surveyapp.unavailable import MAX_RESENT_NAME, MAX_RESENT_VALUE

    url = f"/s/{invitation.token}/p/about"
    sent = [
        *page_fields(client, url),
        ("role", "other"),
        ("role.other", "o" * 1_500_000),
        ("n" * (MAX_RESENT_NAME + 1), "1"),
        ("action", "next"),
    ]
    with outage.down(app, session):
        html = assert_try_again_page(client.post(url, data=_multidict(sent)))
    assert len(html) < MAX_RESENT_VALUE + 20_000
    (action, fields), *_ = forms_of(html)
    resent = dict(fields)
    assert resent["role.other"] == "o" * MAX_RESENT_VALUE
    assert "n" * (MAX_RESENT_NAME + 1) not in resent
    again = client.post(action, data=_multidict(fields))
    assert again.status_code == 422
    assert "Please keep “Other” to at most 200 characters." in again.get_data(as_text=True)
    assert stored_answers(session, invitation) == {}


def test_submitting_while_the_database_is_down_can_be_sent_again(
    app: Flask,
    client: FlaskClient,
    session: Session,
    outage: Outage,
    invitation: Invitation,
) -> None:
    base = f"/s/{invitation.token}"
    for section, (typed, _expected) in PAGES.items():
        assert post_page(client, f"{base}/p/{section}", dict(typed)).status_code == 302
    sent = page_fields(client, f"{base}/review")
    with outage.down(app, session):
        html = assert_try_again_page(client.post(f"{base}/review", data=_multidict(sent)))
    (action, fields), *_ = forms_of(html)
    assert (action, fields) == (f"{base}/review", sent)
    assert client.post(action, data=_multidict(fields)).headers["Location"].endswith("/thanks")
    response = (
        fresh(session)
        .scalars(select(Response).where(Response.invitation_id == invitation.id))
        .one()
    )
    assert (response.status, response.submission_count) == ("submitted", 1)


def test_a_database_restart_between_requests_goes_unnoticed(
    app: Flask,
    client: FlaskClient,
    session: Session,
    outage: Outage,
    invitation: Invitation,
) -> None:
    """Pooled connections died while nobody was answering: the next save still works."""
    url = f"/s/{invitation.token}/p/about"
    typed, expected = PAGES["about"]
    sent = [*page_fields(client, url), *typed, ("action", "next")]  # the pool keeps connections
    with outage.down(app, session):
        pass  # a restart of the server (PostgreSQL) or a remount (SQLite), no request meanwhile
    answer = client.post(url, data=_multidict(sent))
    assert answer.status_code == 302, answer.status_code
    stored = stored_answers(session, invitation)
    assert {k: stored.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("query", "accept", "lang", "text"),
    [
        ("", "sv-FI,sv;q=0.9,en;q=0.5", "sv", "Det du redan har sparat har inte gått förlorat"),
        ("?lang=fi", "sv", "fi", "Jo tallentamasi vastaukset ovat tallessa"),
        ("", "is", "en", "Nothing you have already saved is lost"),  # no Icelandic interface
    ],
)
def test_the_page_is_in_the_respondents_language_without_the_database(
    app: Flask,
    client: FlaskClient,
    session: Session,
    outage: Outage,
    invitation: Invitation,
    query: str,
    accept: str,
    lang: str,
    text: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with outage.down(app, session), caplog.at_level(logging.ERROR):
        answer = client.get(f"/s/{invitation.token}{query}", headers={"Accept-Language": accept})
    html = assert_try_again_page(answer)
    assert f'<html lang="{lang}">' in html
    assert text in html
    (link,) = re.findall(r'<a class="button primary" href="([^"]+)"', html)
    assert link == f"/s/{invitation.token}{query}", "Try again reloads the same page"
    assert "database unavailable during GET /s/[token]" in caplog.text
    assert invitation.token not in caplog.text, "a personal link is never logged"


def test_workspace_pages_get_the_503_page_and_never_echo_a_password(
    app: Flask,
    client: FlaskClient,
    session: Session,
    outage: Outage,
    login: Callable[[FlaskClient, str], Any],
    make_participant: Callable[..., Any],
) -> None:
    person = make_participant()
    login(client, "coordinator")
    token = workspace_token(client)
    stranger = app.test_client()
    login_token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        stranger.get("/login").get_data(as_text=True),
    )
    assert login_token
    with outage.down(app, session):
        pages = [client.get(url) for url in ("/workspace/", "/workspace/participants")]
        edit = client.post(
            f"/workspace/participants/{person.id}/edit",
            data={"csrf_token": token, "name": "Typed name", "email": person.email},
        )
        password = "a secret passphrase 123"
        login_answer = stranger.post(
            "/login",
            data={"csrf_token": login_token[1], "email": "x@y.example", "password": password},
        )
    for page in pages:
        assert_try_again_page(page)
    for answer in (edit, login_answer):
        html = assert_try_again_page(answer)
        assert "send it again" in html
        assert 'type="hidden"' not in html, "only respondents' pages are carried back"
    assert password not in login_answer.get_data(as_text=True)
    assert client.get("/workspace/").status_code == 200, "the next request works again"


def test_sqlite_locked_past_the_busy_timeout_gets_the_try_again_page(
    app: Flask,
    client: FlaskClient,
    session: Session,
    outage: Outage,
    invitation: Invitation,
) -> None:
    if not outage.url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    url = f"/s/{invitation.token}/p/about"
    typed, expected = PAGES["about"]
    sent = [*page_fields(client, url), *typed, ("action", "next")]
    engine = app.extensions["engine"]
    # 30 s in production; a short wait keeps the test quick. Runs after the app's own settings.
    event.listen(engine, "connect", lambda conn, _record: conn.execute("PRAGMA busy_timeout=200"))
    engine.dispose()
    holder = sqlite3.connect(make_url(outage.url).database or "", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock for long
        html = assert_try_again_page(client.post(url, data=_multidict(sent)))
    finally:
        holder.rollback()
        holder.close()
    (action, fields), *_ = forms_of(html)
    assert client.post(action, data=_multidict(fields)).status_code == 302
    stored = stored_answers(session, invitation)
    assert {k: stored.get(k) for k in expected} == expected


def _multidict(pairs: list[tuple[str, str]]) -> MultiDict[str, str]:
    return MultiDict(pairs)
