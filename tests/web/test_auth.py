"""Logging in and out of the workspace: session renewal, attempt limits, `next=`, cookies."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import PASSWORD, SETUP, log_in, redis_or_skip, workspace_token
from surveyapp import create_app
from surveyapp.models import AuditEvent, User
from surveyapp.services import users

Maker = Callable[..., Any]


@pytest.fixture
def app_config(app_config: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    # Counters in this process only: a shared Redis would carry failures from test to test.
    # A test may change more with @pytest.mark.parametrize("app_config", [...], indirect=True).
    return {**app_config, "REDIS_URL": None, **getattr(request, "param", {})}


@pytest.fixture
def account(session: Session) -> User:
    user = users.add_user(
        session, "coordinator@partnership.example", "coordinator", PASSWORD, actor=SETUP
    )
    session.commit()
    return user


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def fail(client: FlaskClient, email: str, times: int = 1, address: str = "127.0.0.1") -> None:
    client.environ_base["REMOTE_ADDR"] = address
    for _ in range(times):
        assert log_in(client, email, "not the password").status_code == 401


def test_login_renews_the_session_and_forgets_what_was_in_it(
    client: FlaskClient, account: User
) -> None:
    client.get("/login")
    with client.session_transaction() as before:
        before["planted"] = "by someone who knew the cookie before login"
    cookie_before = session_cookie(client)
    response = log_in(client, account.email)
    assert response.status_code == 302 and response.headers["Location"] == "/workspace/"
    assert session_cookie(client) != cookie_before
    with client.session_transaction() as after:
        assert "planted" not in after and after["user_id"] == account.id


def test_a_wrong_password_is_refused_with_a_message_and_audited(
    client: FlaskClient, session: Session, account: User
) -> None:
    response = log_in(client, account.email, "wrong password!")
    assert response.status_code == 401
    assert "The email address or password is not right." in response.get_data(as_text=True)
    assert client.get("/workspace/").status_code == 302
    session.rollback()
    (event_,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed"))
    assert event_.target == account.email and "wrong" not in event_.detail


def test_an_unknown_account_gets_the_same_answer(client: FlaskClient) -> None:
    response = log_in(client, "nobody@partnership.example")
    assert response.status_code == 401
    assert "The email address or password is not right." in response.get_data(as_text=True)


def test_an_attacker_from_one_address_cannot_lock_out_the_coordinator(
    client: FlaskClient, app: Flask, account: User
) -> None:
    fail(client, account.email, 5, address="198.51.100.7")
    for password in ["guess"] * 20 + [PASSWORD]:  # refused, and not counted
        response = log_in(client, account.email, password)
        assert response.status_code == 429
    office = app.test_client()
    office.environ_base["REMOTE_ADDR"] = "192.0.2.50"
    assert log_in(office, account.email).status_code == 302


def test_a_refused_address_is_told_how_long_to_wait(
    client: FlaskClient, app: Flask, account: User
) -> None:
    for n in range(5):
        fail(client, f"guess{n}@partnership.example", address="198.51.100.7")
    response = log_in(client, account.email)
    assert response.status_code == 429
    message = "Too many failed attempts. Wait 15 minutes, then try again."
    assert message in response.get_data(as_text=True)
    assert 890 <= int(response.headers["Retry-After"]) <= 900
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.8"
    assert log_in(other, account.email).status_code == 302


@pytest.mark.parametrize("app_config", [{"LOGIN_ACCOUNT_FREE": 2}], indirect=True)
def test_a_successful_login_forgets_the_accounts_failures(
    client: FlaskClient, account: User
) -> None:
    fail(client, account.email, 1, address="192.0.2.1")
    fail(client, account.email, 1, address="192.0.2.2")
    assert log_in(client, account.email).status_code == 302
    client.post("/logout", data={"csrf_token": workspace_token(client)})
    fail(client, account.email, 1, address="192.0.2.3")
    fail(client, account.email, 1, address="192.0.2.4")
    assert log_in(client, account.email).status_code == 302, "four failures, two since"


@pytest.mark.parametrize("app_config", [{"LOGIN_ACCOUNT_FREE": 2}], indirect=True)
def test_guesses_from_many_addresses_slow_the_account_down_for_a_while(
    client: FlaskClient, account: User
) -> None:
    for n in range(3):
        fail(client, account.email, 1, address=f"192.0.2.{n}")
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    response = log_in(client, account.email)
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    time.sleep(1.1)
    assert log_in(client, account.email).status_code == 302, "a delay, not a lock"


@pytest.mark.parametrize(
    "app_config",
    [{"LOGIN_LIMIT_PER_ACCOUNT": "4 per hour"}],
    indirect=True,
)
def test_a_browser_that_logged_in_before_is_not_kept_out_by_guesses_from_elsewhere(
    app: Flask, client: FlaskClient, account: User
) -> None:
    """Guesses from many addresses reach the account's hourly ceiling; its owner's browser,
    where they have logged in before, still gets in, while a new browser must wait."""
    assert log_in(client, account.email).status_code == 302
    client.post("/logout", data={"csrf_token": workspace_token(client)})
    attacker = app.test_client()
    for n in range(4):
        fail(attacker, account.email, 1, address=f"198.51.100.{n}")
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    assert log_in(stranger, account.email).status_code == 429, "the ceiling holds for others"
    client.environ_base["REMOTE_ADDR"] = "203.0.113.8"
    assert log_in(client, account.email).status_code == 302, "the owner's browser gets in"
    cookie = client.get_cookie("known_device", path="/login")
    assert cookie is not None and account.email not in cookie.value
    assert cookie.http_only and cookie.max_age == 365 * 24 * 3600


def test_logout_clears_the_session(client: FlaskClient, account: User) -> None:
    log_in(client, account.email)
    assert client.get("/workspace/").status_code == 200
    response = client.post("/logout", data={"csrf_token": workspace_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    with client.session_transaction() as after:
        assert "user_id" not in after
    page = client.get("/workspace/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


def test_a_cookie_copied_before_logout_no_longer_opens_the_workspace(
    client: FlaskClient, app: Flask, account: User
) -> None:
    log_in(client, account.email)
    copy = app.test_client()
    copy.set_cookie("session", session_cookie(client))
    assert copy.get("/workspace/").status_code == 200, "the copy works while logged in"
    client.post("/logout", data={"csrf_token": workspace_token(client)})
    page = copy.get("/workspace/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


def test_logout_ends_the_sessions_on_other_devices_and_a_new_login_works(
    client: FlaskClient, app: Flask, session: Session, account: User
) -> None:
    laptop, phone = client, app.test_client()
    log_in(laptop, account.email)
    log_in(phone, account.email)
    laptop.post("/logout", data={"csrf_token": workspace_token(laptop)})
    assert phone.get("/workspace/").status_code == 302
    session.rollback()
    assert [e.action for e in session.scalars(select(AuditEvent))].count("logout") == 1
    assert log_in(phone, account.email).status_code == 302
    assert phone.get("/workspace/").status_code == 200


def test_logout_is_a_post(client: FlaskClient, account: User) -> None:
    log_in(client, account.email)
    assert client.get("/logout").status_code == 405
    assert client.get("/workspace/").status_code == 200


def test_a_workspace_page_sends_to_login_and_back(client: FlaskClient, account: User) -> None:
    page = client.get("/workspace/participants?q=espoo")
    assert page.status_code == 302
    assert page.headers["Location"] == "/login?next=/workspace/participants?q%3Despoo"
    response = log_in(client, account.email, next="/workspace/participants?q=espoo")
    assert response.headers["Location"] == "/workspace/participants?q=espoo"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/\tevil.example",
    ],
)
def test_next_never_leaves_the_site(client: FlaskClient, account: User, target: str) -> None:
    response = log_in(client, account.email, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/workspace/"


def test_next_is_refused_on_the_login_page_too(client: FlaskClient, account: User) -> None:
    html = client.get("/login?next=//evil.example").get_data(as_text=True)
    assert "evil.example" not in html
    log_in(client, account.email)
    assert client.get("/login?next=https://evil.example/").headers["Location"] == "/workspace/"


def test_a_password_change_ends_the_other_sessions(
    client: FlaskClient, session: Session, account: User
) -> None:
    log_in(client, account.email)
    assert client.get("/workspace/").status_code == 200
    users.set_password(session, account.email, "a brand new passphrase", actor=SETUP)
    session.commit()
    page = client.get("/workspace/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert log_in(client, account.email, "a brand new passphrase").status_code == 302


def cookie_data(app: Flask, client: FlaskClient) -> dict[str, Any]:
    """The session as the browser holds it: signed, not encrypted, so anyone can read it."""
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    data: dict[str, Any] = serializer.loads(session_cookie(client))
    return data


def test_the_session_cookie_holds_nothing_of_the_password_hash(
    client: FlaskClient, app: Flask, session: Session, account: User
) -> None:
    log_in(client, account.email)
    data = cookie_data(app, client)
    assert data["user_id"] == account.id
    readable = json.dumps(data)
    password_hash = session.get_one(User, account.id).password_hash
    pieces = {
        run[i : i + 8]
        for run in re.findall(r"[0-9a-fA-F]{8,}", password_hash)
        for i in range(len(run) - 7)
    }
    assert pieces and not [piece for piece in pieces if piece in readable]


def test_a_cookie_with_a_piece_of_the_password_hash_no_longer_opens_the_workspace(
    client: FlaskClient, app: Flask, session: Session, account: User
) -> None:
    """A session from before the stamps held the last 16 characters of the hash as "pw"."""
    user = session.get_one(User, account.id)
    old = {"user_id": user.id, "pw": user.password_hash[-16:], "epoch": user.session_epoch}
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    client.set_cookie("session", serializer.dumps(old))
    page = client.get("/workspace/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


def test_a_new_password_draws_a_new_stamp_and_ends_a_copied_session(
    client: FlaskClient, app: Flask, session: Session, account: User
) -> None:
    log_in(client, account.email)
    copy = app.test_client()
    copy.set_cookie("session", session_cookie(client))
    stamp = cookie_data(app, client)["stamp"]
    users.set_password(session, account.email, "a brand new passphrase", actor=SETUP)
    session.commit()
    assert session.get_one(User, account.id).session_stamp != stamp
    for browser in (client, copy):
        assert browser.get("/workspace/").status_code == 302


def test_a_disabled_account_cannot_log_in_or_stay_in(
    client: FlaskClient, app: Flask, session: Session, account: User
) -> None:
    log_in(client, account.email)
    session.get_one(User, account.id).is_active = False
    session.commit()
    assert client.get("/workspace/").status_code == 302
    assert log_in(app.test_client(), account.email).status_code == 401


def test_the_session_cookie_is_httponly_and_samesite_lax(
    client: FlaskClient, account: User
) -> None:
    response = log_in(client, account.email)
    for name in ("session", "known_device"):
        cookie = set_cookie(response, name)
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_form_needs_its_csrf_token(client: FlaskClient, account: User) -> None:
    response = client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/workspace/").status_code == 302


# --- HTTPS, Redis, and what the audit log keeps of a refused login ------------------------------


def set_cookie(response: Any, name: str) -> str:
    """The Set-Cookie header of cookie `name`."""
    (found,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return str(found)


def all_secure(response: Any) -> bool:
    """Every cookie the response sets is marked Secure."""
    headers = response.headers.getlist("Set-Cookie")
    return bool(headers) and all("; Secure" in h for h in headers)


def https_log_in(client: FlaskClient, email: str, **environ: str) -> Any:
    """Log in over HTTPS as a browser does under `Referrer-Policy: no-referrer`: no Referer."""
    page = client.get("/login", base_url="https://localhost", environ_base=environ)
    assert page.status_code == 200
    token = csrf_token_in(page.get_data(as_text=True))
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    return client.post("/login", base_url="https://localhost", data=data, environ_base=environ)


def csrf_token_in(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "the login page has its form token"
    return match.group(1)


def test_over_https_the_login_works_and_its_cookie_is_secure(
    client: FlaskClient, app: Flask, account: User
) -> None:
    assert not app.config["SESSION_COOKIE_SECURE"], "BASE_URL is http:// in the tests"
    response = https_log_in(client, account.email)
    assert response.status_code == 302, "a POST over HTTPS without a Referer is accepted"
    assert all_secure(response)
    plain = log_in(app.test_client(), account.email)
    assert not any("; Secure" in h for h in plain.headers.getlist("Set-Cookie"))


def test_behind_a_trusted_proxy_the_cookie_is_secure(
    app_config: dict[str, Any], session: Session, account: User
) -> None:
    app = create_app({**app_config, "TRUSTED_PROXIES": 1})
    try:
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"
        response = log_in(client, account.email)
        assert response.status_code == 302
        assert all_secure(response)
    finally:
        app.extensions["engine"].dispose()


def test_text_typed_into_the_email_field_is_never_audited(
    client: FlaskClient, session: Session, account: User
) -> None:
    assert log_in(client, "my secret passphrase", "whatever").status_code == 401
    session.rollback()
    (event_,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed"))
    assert "passphrase" not in f"{event_.target} {event_.detail}"


def test_workers_share_the_failed_login_count_through_redis(
    app_config: dict[str, Any], account: User
) -> None:
    config = {
        **app_config,
        "REDIS_URL": redis_or_skip(),
        "RATELIMIT_PREFIX": f"test:{uuid.uuid4().hex}:",
        "LOGIN_LIMIT_PER_ACCOUNT": "4 per hour",
    }
    first, second = create_app(config), create_app(config)  # two workers, one Redis
    try:
        fail(first.test_client(), account.email, 2, address="192.0.2.60")
        fail(second.test_client(), account.email, 2, address="192.0.2.61")
        for worker in (first, second):
            client = worker.test_client()
            client.environ_base["REMOTE_ADDR"] = "192.0.2.62"
            assert log_in(client, account.email).status_code == 429
    finally:
        redis = Redis.from_url(config["REDIS_URL"])
        for key in redis.scan_iter(match=config["RATELIMIT_PREFIX"] + "*"):
            redis.delete(key)
        for application in (first, second):
            application.extensions["engine"].dispose()


def test_an_unreachable_redis_still_lets_people_in_and_still_limits_guessing(
    app_config: dict[str, Any], account: User
) -> None:
    app = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})  # nothing listens
    try:
        assert log_in(app.test_client(), account.email).status_code == 302
        fail(app.test_client(), account.email, 5)
        assert log_in(app.test_client(), account.email).status_code == 429
    finally:
        app.extensions["engine"].dispose()
