"""Request limits everywhere: odd form tokens, over-long answers on every path that renders
them, too many fields, chunked bodies over MAX_CONTENT_LENGTH and ids too large for the
database are each refused with a clear page (400, 404, 413 or the question's own message),
never a 500 and never by echoing what was sent.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from security_kit import invite, post_chunked, served
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from builders import SETUP, TEST_SURVEYS, csrf_token, fresh, post_page, workspace_token
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import Answer, Invitation, Round, User
from surveyapp.request_limits import MAX_ID, IdConverter, numbers_up_to
from surveyapp.services import rounds

LogIn = Callable[[FlaskClient, str], User]
EXPIRED = "Your session had expired"
TWO_MB = 2_000_000


@pytest.fixture
def invitation(session: Session) -> Invitation:
    round_ = rounds.open_round(
        session, SurveyRegistry(TEST_SURVEYS), "respond-test", "0.3", open_link=True, actor=SETUP
    )
    found = invite(session, round_, language="en")
    session.commit()
    return found


def page_fields(client: FlaskClient, url: str) -> list[tuple[str, str]]:
    """The hidden fields of a survey page and its form token, as a browser sends them."""
    html = client.get(url).get_data(as_text=True)
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token, url
    return [*hidden, ("csrf_token", token.group(1))]


def answers_stored(session: Session) -> int:
    return fresh(session).scalar(select(func.count()).select_from(Answer)) or 0


# --- odd form tokens ----------------------------------------------------------------------------

ODD_TOKENS = {
    "non-ASCII": "ÄÖÅ-token-é",
    "non-ASCII in a real token": None,  # filled in from the page
    "emoji": "\U0001f600" * 40,
    "control characters": "\x01\x02\x7f token",
    "1 MB": "x" * 1_000_000,
    "empty": "",
}


@pytest.mark.parametrize("kind", ODD_TOKENS)
def test_an_odd_form_token_on_a_respondent_page_gets_the_expired_form_page(
    client: FlaskClient, session: Session, invitation: Invitation, kind: str
) -> None:
    url = f"/s/{invitation.token}/p/about"
    token = ODD_TOKENS[kind]
    if token is None:
        real = csrf_token(client, url)
        token = real[:10] + "ä" + real[11:]
    reply = client.post(url, data={"csrf_token": token, "role": "manager", "action": "next"})
    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert EXPIRED in html and 'value="manager" checked' in html
    assert answers_stored(session) == 0


@pytest.mark.parametrize("kind", ["non-ASCII", "emoji", "control characters"])
def test_an_odd_form_token_is_a_400_on_review_open_link_login_and_workspace(
    client: FlaskClient, session: Session, invitation: Invitation, as_user: LogIn, kind: str
) -> None:
    token = ODD_TOKENS[kind]
    assert token is not None
    review = client.post(f"/s/{invitation.token}/review", data={"csrf_token": token})
    assert review.status_code == 400 and EXPIRED in review.get_data(as_text=True)
    open_link = session.get_one(Round, invitation.round_id).open_link_token
    assert client.post(f"/o/{open_link}", data={"csrf_token": token}).status_code == 400
    login = client.post("/login", data={"csrf_token": token, "email": "a@b.example"})
    assert login.status_code == 400
    as_user(client, "coordinator")
    close = client.post(
        f"/workspace/rounds/{invitation.round_id}/close", data={"csrf_token": token}
    )
    assert close.status_code == 400
    # The same token as a header, where flask_wtf also looks for one.
    headers = {"X-CSRFToken": token.encode("utf-8").decode("latin-1")}
    assert client.post("/logout", headers=headers).status_code == 400


# --- over-long answers are never echoed whole ----------------------------------------------------


def _expired_post(client: FlaskClient, url: str, fields: dict[str, str]) -> Any:
    return client.post(url, data={"csrf_token": "x", "action": "next", **fields})


def test_the_expired_form_page_holds_each_answer_to_its_limit_with_its_message(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    base = f"/s/{invitation.token}/p"
    why = _expired_post(client, f"{base}/why", {"why_clarity": "1", "why_missing": "w" * TWO_MB})
    assert why.status_code == 400
    html = why.get_data(as_text=True)
    assert EXPIRED in html
    assert "Please shorten your answer to 50 characters (it has 2000000)." in html
    assert "w" * 50 in html and "w" * 51 not in html and len(html) < 50_000
    about = _expired_post(
        client,
        f"{base}/about",
        {"role": "other", "role.other": "o" * 1_500_000, "years": "7" * 500_000},
    )
    html = about.get_data(as_text=True)
    assert about.status_code == 400 and len(html) < 50_000
    assert "Please keep “Other” to at most 200 characters." in html
    assert "o" * 200 in html and "o" * 201 not in html
    assert "Enter a number, for example 12 or 3.5." in html and "7" * 51 not in html
    assert answers_stored(session) == 0


def test_a_validation_error_shows_an_over_long_answer_cut_to_its_limit(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    url = f"/s/{invitation.token}/p/why"
    sent = post_page(client, url, {"why_clarity": "1", "why_missing": "w" * TWO_MB})
    assert sent.status_code == 422
    html = sent.get_data(as_text=True)
    assert "Please shorten your answer to 50 characters (it has 2000000)." in html
    assert "w" * 50 in html and "w" * 51 not in html and len(html) < 50_000


def test_choices_that_are_not_options_are_never_shown_back(
    client: FlaskClient, invitation: Invitation
) -> None:
    url = f"/s/{invitation.token}/p/overall"
    odd = "<not-an-option>" + "z" * 100_000
    fields = [("chapters_read", odd)] * 10 + [("overall_usefulness", odd)]
    reply = client.post(url, data=MultiDict([("csrf_token", "x"), *fields]))
    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert "z" * 100 not in html and len(html) < 50_000


# --- too many fields ----------------------------------------------------------------------------


def test_a_form_of_more_fields_than_max_form_parts_gets_a_413(
    app: Flask, client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    parts = app.config["MAX_FORM_PARTS"]
    url = f"/s/{invitation.token}/p/about"
    body = urlencode([*page_fields(client, url), ("role", "manager")])
    body += "&a" * parts
    reply = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 413
    assert f"more than {parts} fields" in reply.get_data(as_text=True)
    assert answers_stored(session) == 0
    fine = body.rsplit("&a" * 10, 1)[0]  # 10 fewer: within the limit
    reply = client.post(url, data=fine, content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 302


# --- chunked bodies -----------------------------------------------------------------------------


def _chunked_form(client: FlaskClient, url: str, extra: bytes) -> bytes:
    fields = [*page_fields(client, url), ("role", "other"), ("action", "next")]
    return urlencode(fields).encode() + extra


def test_a_chunked_body_over_the_limit_gets_a_413_under_the_test_client(
    app: Flask, client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    url = f"/s/{invitation.token}/p/about"
    limit = app.config["MAX_CONTENT_LENGTH"]
    for size, status in ((limit + 1024 * 1024, 413), (1000, 302)):
        body = _chunked_form(client, url, b"&role.other=Buyer&pad=" + b"p" * size)
        reply = client.post(
            url,
            input_stream=io.BytesIO(body),
            content_type="application/x-www-form-urlencoded",
            headers={"Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},  # as a chunking server sets
        )
        assert reply.status_code == status, size
    assert answers_stored(session) == 2, "only the short body's answers were stored"


def test_a_chunked_body_over_the_limit_gets_a_413_from_a_real_server(
    app: Flask, client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    """Werkzeug's server dechunks the body (gunicorn: test_memory_bound.py)."""
    limit = app.config["MAX_CONTENT_LENGTH"]
    url = f"/s/{invitation.token}/p/about"
    body = _chunked_form(client, url, b"&role.other=Buyer")
    session_cookie = client.get_cookie("session")
    assert session_cookie is not None
    cookie = f"session={session_cookie.value}"
    with served(app) as address:
        status, page = post_chunked(address, "/login", b"email=a&password=" + b"x" * 3 * 2**20)
        assert status == 413 and b"larger than 2 MB" in page
        status, _page = post_chunked(
            address, url, body + b"&pad=" + b"p" * limit, {"Cookie": cookie}
        )
        assert status == 413
        assert answers_stored(session) == 0
        status, _page = post_chunked(address, url, body, {"Cookie": cookie})
        assert status == 302, "a chunked body within the limit is read whole"
    stored = dict(fresh(session).execute(select(Answer.question_id, Answer.value)).all())
    assert stored == {"role": "other", "role.other": "Buyer"}


# --- ids in URLs --------------------------------------------------------------------------------

HUGE = "99999999999999999999"


def id_routes(app: Flask) -> list[Any]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    ]


def test_every_integer_in_a_url_goes_through_the_id_converter(app: Flask) -> None:
    routes = id_routes(app)
    assert len(routes) >= 15, "the workspace has many routes with ids"
    for rule in routes:
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                assert type(converter) is IdConverter, f"{rule.rule}: <{name}> is a plain int"


@pytest.mark.parametrize("value", [HUGE, str(2**63), str(MAX_ID + 1), "0", "07", "1" + "0" * 5000])
def test_an_id_out_of_range_is_a_404_on_every_route(
    app: Flask, client: FlaskClient, as_user: LogIn, invitation: Invitation, value: str
) -> None:
    as_user(client, "coordinator")
    token = workspace_token(client)
    checked = 0
    for rule in id_routes(app):
        path = rule.rule
        for name, converter in rule._converters.items():
            filled = value if isinstance(converter, IntegerConverter) else "reminder"
            path = re.sub(f"<[^<>]*:{name}>|<{name}>", filled, path)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            if method == "GET":
                reply = client.get(path)
            else:
                reply = client.post(path, data={"csrf_token": token})
            assert reply.status_code == 404, f"{method} {path[:80]}: {reply.status_code}"
            checked += 1
    assert checked >= 20


def test_the_largest_id_a_url_may_hold_is_looked_up_and_not_found(
    app: Flask, client: FlaskClient, as_user: LogIn
) -> None:
    as_user(client, "coordinator")
    for path in (f"/workspace/rounds/{MAX_ID}", f"/workspace/participants/{MAX_ID}/edit"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("limit", [10, 19, 20, 100, 101, 999, 1000, 12345, MAX_ID])
def test_the_id_pattern_holds_exactly_the_numbers_up_to_its_limit(limit: int) -> None:
    pattern = re.compile(f"(?:{numbers_up_to(limit)})")
    for n in [*range(0, 2500), limit - 1, limit, limit + 1, 10 * limit, 2**63]:
        assert bool(pattern.fullmatch(str(n))) == (1 <= n <= limit), n
    assert not pattern.fullmatch("01")
