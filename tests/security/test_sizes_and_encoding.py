"""Sizes and bytes: a body over MAX_CONTENT_LENGTH gets a clear 413
page; an answer over its cap gets a message with every answer kept; invalid UTF-8 and NUL
bytes in query strings and forms get a clear 400 page (or, where a view cleans them itself,
are dropped): never a 500, never stored.

Werkzeug alone would turn `%FF` into the text "%FF", silently drop a whole form whose raw
bytes are not UTF-8, answer a raw non-UTF-8 query string with a 500, and pass NUL on to the
database (PostgreSQL refuses it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from security_kit import invite
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from builders import SETUP, TEST_SURVEYS, csrf_token, fresh, post_page, workspace_token
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import Answer, Invitation, Participant, Round, User
from surveyapp.services import rounds

UNREADABLE = "The text could not be read"
LogIn = Callable[[FlaskClient, str], User]


@pytest.fixture
def invitation(session: Session) -> Invitation:
    round_ = rounds.open_round(
        session, SurveyRegistry(TEST_SURVEYS), "respond-test", "0.3", actor=SETUP
    )
    found = invite(session, round_, language="en")
    session.commit()
    return found


def stored_answers(session: Session) -> dict[str, Any]:
    return dict(fresh(session).execute(select(Answer.question_id, Answer.value)).all())


def page_form(client: FlaskClient, url: str) -> str:
    """The url-encoded start of what the page's form sends: its token and hidden fields."""
    html = client.get(url).get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token, url
    fields.update(csrf_token=token.group(1), action="next")
    return urlencode(fields)


def send_raw(client: FlaskClient, url: str, body: bytes) -> Any:
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


# --- oversize bodies ----------------------------------------------------------------------------


def test_a_body_over_the_limit_gets_a_clear_413_page_and_nothing_is_stored(
    app: Flask, client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    url = f"/s/{invitation.token}/p/about"
    start = page_form(client, url).encode()
    body = start + b"&role=other&role.other=" + b"x" * app.config["MAX_CONTENT_LENGTH"]
    response = send_raw(client, url, body)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Too much at once" in html and "larger than 2 MB" in html
    assert stored_answers(session) == {}
    login = client.post("/login", data={"email": "x" * (3 * 1024 * 1024), "password": "y"})
    assert login.status_code == 413 and "larger than 2 MB" in login.get_data(as_text=True)


# --- oversize fields ----------------------------------------------------------------------------


def test_an_answer_over_its_cap_gets_a_message_and_every_other_answer_is_kept(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    long_text = "Too long. " * 6  # 60 characters; why_missing holds 50
    url = f"/s/{invitation.token}/p/why"
    sent = post_page(
        client, url, {"why_clarity": "1", "why_missing": long_text, "why_tools.canvas": "4"}
    )
    assert sent.status_code == 422
    html = sent.get_data(as_text=True)
    assert "Please shorten your answer to 50 characters (it has 59)." in html
    # A browser lets no one type past the box's maxlength: what fits is still in it.
    assert long_text[:50] in html and long_text.strip() not in html
    assert 'value="1" checked' in html and 'value="4" checked' in html
    assert "why_missing" not in stored_answers(session)


def test_a_huge_field_under_the_body_limit_is_refused_by_its_cap(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    huge = "y" * 1_500_000
    sent = post_page(
        client, f"/s/{invitation.token}/p/about", {"role": "other", "role.other": huge}
    )
    assert sent.status_code == 422
    assert "Please keep “Other” to at most 200 characters." in sent.get_data(as_text=True)
    assert stored_answers(session) == {}


# --- invalid UTF-8 and NUL ----------------------------------------------------------------------

BAD_VALUES = {
    "raw byte": b"Lawyer\xff",
    "percent-encoded byte": b"Lawyer%FF",
    "overlong slash": b"%C0%AF",
    "lone surrogate": b"%ED%A0%80",
    "truncated sequence": b"caf%C3",
    "NUL": b"Law%00yer",
}


@pytest.mark.parametrize("value", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_a_query_string_that_cannot_be_read_gets_a_clear_400(
    client: FlaskClient, invitation: Invitation, value: bytes
) -> None:
    for path in (f"/s/{invitation.token}", "/login", "/"):
        response = client.get(
            path, environ_overrides={"QUERY_STRING": "lang=" + value.decode("latin-1")}
        )
        assert response.status_code == 400, path
        assert UNREADABLE in response.get_data(as_text=True)


@pytest.mark.parametrize("value", BAD_VALUES.values(), ids=BAD_VALUES.keys())
@pytest.mark.parametrize("place", ["value", "name"])
def test_an_answer_form_that_cannot_be_read_gets_a_clear_400_and_stores_nothing(
    client: FlaskClient, session: Session, invitation: Invitation, value: bytes, place: str
) -> None:
    if value == BAD_VALUES["NUL"]:
        pytest.skip("the answer pages drop NUL instead: see the test below")
    url = f"/s/{invitation.token}/p/about"
    start = page_form(client, url).encode()
    field = b"role.other=" + value if place == "value" else b"x" + value + b"=1"
    response = send_raw(client, url, start + b"&role=other&years=3&" + field)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert UNREADABLE in html and "nothing was saved" in html
    assert stored_answers(session) == {}


def test_a_nul_in_an_answer_is_dropped_and_the_answer_saved(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    url = f"/s/{invitation.token}/p/about"
    body = page_form(client, url).encode() + b"&role=other&role.other=Law%00yer"
    response = send_raw(client, url, body)
    assert response.status_code == 302
    assert stored_answers(session) == {"role": "other", "role.other": "Lawyer"}


@pytest.mark.parametrize("value", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_login_and_workspace_forms_that_cannot_be_read_get_a_clear_400(
    client: FlaskClient, session: Session, as_user: LogIn, invitation: Invitation, value: bytes
) -> None:
    token = csrf_token(client, "/login")
    body = f"csrf_token={token}&password=x&email=".encode() + value
    assert send_raw(client, "/login", body).status_code == 400
    as_user(client, "coordinator")
    before = counts(session)
    url = f"/workspace/rounds/{invitation.round_id}/invite"
    token = workspace_token(client, f"/workspace/rounds/{invitation.round_id}")
    response = send_raw(client, url, f"csrf_token={token}&groups=".encode() + value)
    assert response.status_code == 400 and UNREADABLE in response.get_data(as_text=True)
    # The round form reports a NUL next to its field instead, keeping what was typed.
    body = f"csrf_token={token}&survey=respond-test&revision=0.4".encode() + value
    response = send_raw(client, "/workspace/rounds/new", body)
    if value == BAD_VALUES["NUL"]:
        assert response.status_code == 422
        assert "Remove the control characters" in response.get_data(as_text=True)
    else:
        assert response.status_code == 400 and UNREADABLE in response.get_data(as_text=True)
    assert counts(session) == before, "nothing was stored"


def counts(session: Session) -> tuple[int, ...]:
    db = fresh(session)
    tables = (Round, Invitation, Participant)
    return tuple(db.scalar(select(func.count()).select_from(t)) or 0 for t in tables)


@pytest.mark.parametrize(
    ("value", "status"), [(b"group\xff", 400), (b"gro\x00up", 422)], ids=["invalid UTF-8", "NUL"]
)
def test_an_upload_form_field_that_cannot_be_read_is_refused(
    client: FlaskClient, session: Session, as_user: LogIn, value: bytes, status: int
) -> None:
    as_user(client, "coordinator")
    url = "/workspace/participants/import"
    token = workspace_token(client, url)
    boundary = "b0undary"
    part = f"--{boundary}\r\nContent-Disposition: form-data; name="
    body = (
        f'{part}"csrf_token"\r\n\r\n{token}\r\n{part}"group"\r\n\r\n'.encode()
        + value
        + f'\r\n{part}"file"; filename="p.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode()
        + f"email\r\na@city.example\r\n--{boundary}--\r\n".encode()
    )
    content_type = f"multipart/form-data; boundary={boundary}"
    response = client.post(url, data=body, content_type=content_type)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert UNREADABLE in html if status == 400 else "Remove the control characters" in html
    assert fresh(session).scalar(select(func.count()).select_from(Participant)) == 0


def test_views_that_clean_nul_themselves_never_store_it(
    client: FlaskClient, session: Session, as_user: LogIn, invitation: Invitation
) -> None:
    from surveyapp.web.input_checks import HANDLE_NUL_THEMSELVES

    # Each is tested: answers (above), the round form and the import (above), and these two.
    assert {
        "respond.save",
        "coordinate.participants",
        "coordinate.edit_participant",
        "coordinate.new_round",
        "coordinate.import_participants",
    } == HANDLE_NUL_THEMSELVES
    as_user(client, "coordinator")
    assert client.get("/workspace/participants?q=Per%00son").status_code == 200
    url = f"/workspace/participants/{invitation.participant_id}/edit"
    token = workspace_token(client, url)
    body = f"csrf_token={token}&email=a%40city.example&name=Ann%00a".encode()
    assert send_raw(client, url, body).status_code == 422
    assert "\x00" not in fresh(session).get_one(Participant, invitation.participant_id).name
