"""The session cookie as HttpsAwareSessions reads it: each request gets the cookie's own data;
a changed cookie, an expired one or another key is never taken for the genuine one."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface

from surveyapp.auth.sessions import HttpsAwareSessions


@pytest.fixture
def site() -> Flask:
    app = Flask(__name__)
    app.secret_key = "first key"
    app.session_interface = HttpsAwareSessions()

    @app.get("/read")
    def read() -> str:
        return repr(sorted(session.get("links", [])))

    @app.get("/write")
    def write() -> str:
        session["links"] = ["a", "b"]
        return "ok"

    @app.get("/change-in-place")
    def change_in_place() -> str:
        session["links"].append("c")  # a view changing the data it was given
        return repr(session["links"])

    return app


def _signed(app: Flask, data: dict[str, object]) -> str:
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    return str(serializer.dumps(data))


def test_a_cookie_read_again_reads_the_same_and_keeps_its_data_apart(site: Flask) -> None:
    client = site.test_client()
    client.get("/write")
    assert client.get("/read").text == "['a', 'b']"
    assert client.get("/read").text == "['a', 'b']"
    assert client.get("/change-in-place").text == "['a', 'b', 'c']"
    assert client.get("/read").text == "['a', 'b']", "the next request gets the cookie's data"


def test_a_changed_cookie_is_refused_after_the_genuine_one_was_read(site: Flask) -> None:
    client = site.test_client()
    genuine = _signed(site, {"links": ["a"]})
    client.set_cookie("session", genuine)
    assert client.get("/read").text == "['a']"
    forged = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")
    client.set_cookie("session", forged)
    assert client.get("/read").text == "[]"


def test_a_cookie_expires_and_a_new_key_does_not_accept_it(
    site: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = site.test_client()
    client.set_cookie("session", _signed(site, {"links": ["a"]}))
    assert client.get("/read").text == "['a']"
    site.permanent_session_lifetime = dt.timedelta(seconds=60)
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/read").text == "[]"
    monkeypatch.undo()
    site.permanent_session_lifetime = dt.timedelta(days=31)
    assert client.get("/read").text == "['a']"
    site.secret_key = "second key"
    assert client.get("/read").text == "[]"
