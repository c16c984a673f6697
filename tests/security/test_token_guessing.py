"""Guessing personal and open links: 10,000 random tokens of
the real format find nothing, and unknown tokens are rate-limited per client address, in
memory and in Redis, without locking people behind the same address out of their own links."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from security_kit import invite
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from builders import SETUP, TEST_SURVEYS, csrf_token, post_page, redis_or_skip
from surveyapp import create_app
from surveyapp.definitions import SurveyRegistry
from surveyapp.errors import UnknownLink
from surveyapp.models import Invitation, Participant, Response, Round
from surveyapp.services import response_reads, response_writes, rounds, tokens

LIMIT = 5


def open_round(session: Session, **options: Any) -> Round:
    registry = SurveyRegistry(TEST_SURVEYS)
    round_ = rounds.open_round(session, registry, "respond-test", "0.3", **options, actor=SETUP)
    session.commit()
    return round_


@pytest.fixture
def many_links(session: Session) -> Round:
    """A round with 500 personal links, an open link and 20 open-link responses."""
    round_ = open_round(session, open_link=True)
    people = [{"email": f"p{n}@city.example", "name": f"P {n}"} for n in range(500)]
    session.execute(insert(Participant), people)
    ids = list(session.scalars(select(Participant.id)))
    rounds.invite_participants(session, round_, ids, actor=SETUP)
    for _ in range(20):
        response_writes.start_open_response(session, round_, "en")
    session.commit()
    return round_


def test_tokens_have_at_least_128_random_bits_and_never_repeat() -> None:
    assert tokens.TOKEN_BYTES * 8 >= 128
    made = {tokens.new_token() for _ in range(10_000)}
    assert len(made) == 10_000
    assert all(len(t) == 32 and tokens.looks_like_token(t) for t in made)


def test_ten_thousand_random_tokens_find_nothing(app: Flask, many_links: Round) -> None:
    engine = app.extensions["engine"]
    with Session(engine) as session:
        real = set(session.scalars(select(Invitation.token)))
        real |= set(session.scalars(select(Response.token).where(Response.token.is_not(None))))
    assert len(real) == 520

    def guess(count: int) -> list[object]:
        """`count` lookups through the services, in a session of this thread's own."""
        hits: list[object] = []
        with Session(engine) as session:
            for n in range(count):
                resolve = (
                    response_reads.resolve_open_link if n % 10 == 0 else response_reads.resolve_link
                )
                with contextlib.suppress(UnknownLink):
                    hits.append(resolve(session, tokens.new_token()))
        return hits

    # Four threads, so that waiting for PostgreSQL overlaps; SQLite reads in parallel too.
    with ThreadPoolExecutor(max_workers=4) as pool:
        found = [hit for hits in pool.map(guess, [2_500] * 4) for hit in hits]
    assert found == []
    with Session(engine) as session:  # the same lookups do find real tokens
        assert all(response_reads.resolve_link(session, t).round.id == many_links.id for t in real)
        assert response_reads.resolve_open_link(session, many_links.open_link_token or "").id


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "REDIS_URL": None, "TOKEN_GUESS_LIMIT": LIMIT}


def test_guessing_over_http_finds_nothing_and_stores_nothing(
    app: Flask, session: Session, many_links: Round
) -> None:
    app.config["TOKEN_GUESS_LIMIT"] = 0  # this test guesses; the limit is tested below
    client = app.test_client()
    paths = ("/s/{}", "/s/{}/p/about", "/s/{}/review", "/o/{}")
    statuses = [client.get(paths[n % 4].format(tokens.new_token())).status_code for n in range(300)]
    assert set(statuses) == {404}
    token = csrf_token(client, f"/o/{many_links.open_link_token}")
    for path in ("/s/{}/p/about", "/s/{}/review", "/o/{}"):
        url = path.format(tokens.new_token())
        sent = client.post(url, data={"csrf_token": token, "role": "officer"})
        assert sent.status_code == 404, f"POST {path}"
        # Without a form token: the expired-form page or 404, never a server error.
        assert client.post(url, data={"role": "officer"}).status_code in (400, 404), path
    count = session.scalar(select(func.count()).select_from(Response))
    assert count == 20, "no response was created by a guess"


# --- the limit ----------------------------------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
def limited_app(request: pytest.FixtureRequest, app_config: dict[str, Any]) -> Iterator[Flask]:
    """The app with a limit of LIMIT unknown links per address, counted in memory or Redis."""
    config = {**app_config}
    if request.param == "redis":
        config.update(REDIS_URL=redis_or_skip(), RATELIMIT_PREFIX=f"test:{uuid.uuid4().hex}:")
    application = create_app(config)
    yield application
    if request.param == "redis":
        remove_keys(application)
    application.extensions["engine"].dispose()


def remove_keys(app: Flask) -> None:
    redis = app.extensions["link_limiter"].redis
    for key in redis.scan_iter(match=app.config["RATELIMIT_PREFIX"] + "*"):
        redis.delete(key)


def from_address(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def guess(client: FlaskClient, times: int) -> list[int]:
    return [client.get(f"/s/{tokens.new_token()}").status_code for _ in range(times)]


@pytest.fixture
def links(session: Session) -> Callable[[], Invitation]:
    round_ = open_round(session)

    def make() -> Invitation:
        invitation = invite(session, round_)
        session.commit()
        return invitation

    return make


def test_after_the_limit_unknown_and_new_links_get_429_with_a_clear_page(
    limited_app: Flask, links: Callable[[], Invitation]
) -> None:
    guesser = from_address(limited_app, "198.51.100.7")
    assert guess(guesser, LIMIT) == [404] * LIMIT
    refused = guesser.get(f"/s/{tokens.new_token()}", headers={"Accept-Language": "en"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) == limited_app.config["TOKEN_GUESS_WINDOW_SECONDS"]
    html = refused.get_data(as_text=True)
    assert "Too many links that do not exist were opened from your network" in html
    assert "Wait 15 minutes" in html
    # A real link this browser never opened looks exactly like a guess: no hint for a guesser.
    real = links()
    assert guesser.get(f"/s/{real.token}").status_code == 429
    assert guesser.get(f"/o/{tokens.new_token()}").status_code == 429
    assert guesser.post(f"/s/{real.token}/p/about", data={"role": "x"}).status_code == 429
    # Another address is not affected.
    other = from_address(limited_app, "198.51.100.8")
    assert other.get(f"/s/{real.token}").status_code == 200
    assert guess(other, 1) == [404]


def test_links_already_opened_in_a_browser_keep_working_behind_the_same_address(
    limited_app: Flask, session: Session, links: Callable[[], Invitation]
) -> None:
    """A city office behind one NAT: colleagues who opened their link keep answering."""
    colleagues = [(from_address(limited_app, "203.0.113.5"), links()) for _ in range(3)]
    for client, invitation in colleagues:
        assert client.get(f"/s/{invitation.token}").status_code == 200
    assert guess(from_address(limited_app, "203.0.113.5"), LIMIT + 3)[-1] == 429
    for client, invitation in colleagues:
        saved = post_page(client, f"/s/{invitation.token}/p/about", {"role": "manager"})
        assert saved.status_code == 302
        assert client.get(f"/s/{invitation.token}/review").status_code == 200
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Response)) == 3


def test_valid_links_are_never_counted(limited_app: Flask, links: Callable[[], Invitation]) -> None:
    invitation = links()
    for _ in range(3 * LIMIT):  # each from a fresh browser: none is remembered
        client = from_address(limited_app, "192.0.2.10")
        assert client.get(f"/s/{invitation.token}").status_code == 200
    assert guess(from_address(limited_app, "192.0.2.10"), LIMIT) == [404] * LIMIT


def test_closed_and_not_yet_open_links_are_real_links(
    limited_app: Flask, session: Session, links: Callable[[], Invitation]
) -> None:
    invitation = links()
    invitation.round.status = "closed"
    session.commit()
    client = from_address(limited_app, "192.0.2.11")
    assert [client.get(f"/s/{invitation.token}").status_code for _ in range(LIMIT + 1)] == [410] * (
        LIMIT + 1
    )
    assert guess(client, 1) == [404]


def test_the_count_starts_again_in_the_next_window(
    limited_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1_000_000.0]
    monkeypatch.setattr("surveyapp.ratelimit.time.time", lambda: clock[0])
    client = from_address(limited_app, "192.0.2.12")
    assert guess(client, LIMIT + 1)[-1] == 429
    clock[0] += limited_app.config["TOKEN_GUESS_WINDOW_SECONDS"]
    assert guess(client, 1) == [404]


def test_workers_share_the_count_through_redis(app_config: dict[str, Any]) -> None:
    config = {
        **app_config,
        "REDIS_URL": redis_or_skip(),
        "RATELIMIT_PREFIX": f"test:{uuid.uuid4().hex}:",
    }
    first, second = create_app(config), create_app(config)  # two workers, one Redis
    try:
        assert guess(from_address(first, "192.0.2.13"), LIMIT - 1) == [404] * (LIMIT - 1)
        assert guess(from_address(second, "192.0.2.13"), 2) == [404, 429]
    finally:
        remove_keys(first)
        for application in (first, second):
            application.extensions["engine"].dispose()


def test_an_unreachable_redis_never_stops_respondents(
    app_config: dict[str, Any], session: Session, links: Callable[[], Invitation]
) -> None:
    app = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})  # nothing listens
    try:
        client = from_address(app, "192.0.2.14")
        assert client.get(f"/s/{links().token}").status_code == 200
        assert guess(client, LIMIT + 1) == [404] * (LIMIT + 1)
    finally:
        app.extensions["engine"].dispose()


def test_the_limit_is_configurable_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from surveyapp.config import load_config

    monkeypatch.setenv("SURVEYAPP_TOKEN_GUESS_LIMIT", "7")
    monkeypatch.setenv("SURVEYAPP_TOKEN_GUESS_WINDOW", "60")
    config = load_config({"TESTING": True})
    assert (config["TOKEN_GUESS_LIMIT"], config["TOKEN_GUESS_WINDOW_SECONDS"]) == (7, 60)
    monkeypatch.delenv("SURVEYAPP_TOKEN_GUESS_LIMIT")
    monkeypatch.delenv("SURVEYAPP_TOKEN_GUESS_WINDOW")
    defaults = load_config({"TESTING": True})
    assert (defaults["TOKEN_GUESS_LIMIT"], defaults["TOKEN_GUESS_WINDOW_SECONDS"]) == (30, 900)


def test_open_link_visitors_are_counted_like_personal_links(
    limited_app: Flask, session: Session
) -> None:
    round_ = open_round(session, open_link=True)
    client = from_address(limited_app, "192.0.2.15")
    assert client.get(f"/o/{round_.open_link_token}").status_code == 200
    statuses = [client.get(f"/o/{tokens.new_token()}").status_code for _ in range(LIMIT + 1)]
    assert statuses[-1] == 429
    assert client.get(f"/o/{round_.open_link_token}").status_code == 200, "opened before"
