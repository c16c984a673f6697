"""Security headers on every kind of page: a Content-Security-
Policy without inline script, nosniff, no framing; on token pages no Referer and no caching;
no caching of workspace pages either. Pages come from the URL map, so new ones are included."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from security_kit import answer, get_routes, invite, route_url
from sqlalchemy.orm import Session

from builders import SETUP, TEST_SURVEYS, post_page
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import User
from surveyapp.services import rounds, tokens


def csp(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


def check_every_response(response: Any, where: str) -> None:
    policy = csp(response)
    assert policy, f"{where}: no Content-Security-Policy"
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts == ["'self'"], f"{where}: script-src {scripts}"
    assert policy.get("object-src") == ["'none'"] and policy.get("base-uri") == ["'none'"], where
    assert policy.get("frame-ancestors") == ["'none'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("X-Frame-Options") == "DENY", where


def check_not_kept(response: Any, where: str) -> None:
    assert response.headers.get("Cache-Control") == "no-store", f"{where}: may be cached"


def check_token_page(response: Any, where: str) -> None:
    """The URL holds a credential: never sent on as Referer, never kept by a cache."""
    assert response.headers.get("Referrer-Policy") == "no-referrer", where
    check_not_kept(response, where)


@pytest.fixture
def pages(
    app: Flask, session: Session, as_user: Callable[[Any, str], User]
) -> Iterator[list[tuple[str, str]]]:
    """(endpoint, URL) of every GET route, with ids and tokens of real things."""
    round_ = rounds.open_round(
        session, SurveyRegistry(TEST_SURVEYS), "respond-test", "0.3", open_link=True, actor=SETUP
    )
    invitation = invite(session, round_)
    answer(session, round_, {"role": "officer", "overall_usefulness": 7}, invitation, submit=False)
    session.commit()
    values = {
        "round_id": round_.id,
        "participant_id": invitation.participant_id,
        "survey_id": "respond-test",
        "revision": "0.3",
        "section_id": "about",
        "kind": "reminder",
        "token": invitation.token,
    }
    found = []
    for endpoint, rule, arguments in get_routes(app):
        url_values = {name: values.get(name, 1) for name in arguments}
        if rule.startswith("/o/"):
            url_values["token"] = round_.open_link_token
        found.append((endpoint, route_url(app, endpoint, url_values)))
    yield found


def test_every_page_of_the_url_map(
    coordinator_by_cookie: FlaskClient, pages: list[tuple[str, str]]
) -> None:
    kinds = set()
    for _endpoint, url in pages:
        response = coordinator_by_cookie.get(url)
        assert response.status_code < 500, url
        check_every_response(response, url)
        if url.startswith(("/s/", "/o/")):
            check_token_page(response, url)
        if url.startswith("/workspace"):
            check_not_kept(response, url)
        kinds.add(response.mimetype)
    assert {"text/html", "text/csv", "application/json"} <= kinds, kinds


def test_token_pages_in_every_state(app: Flask, client: FlaskClient, session: Session) -> None:
    round_ = rounds.open_round(
        session, SurveyRegistry(TEST_SURVEYS), "respond-test", "0.4", open_link=True, actor=SETUP
    )
    invitation = invite(session, round_)
    session.commit()
    base = f"/s/{invitation.token}"
    responses = {
        "start": client.get(base),
        "saved page (redirect)": post_page(client, f"{base}/p/about", {"role": "officer"}),
        "page with errors": post_page(client, f"{base}/p/about", {"years": "many"}),
        "expired form": client.post(f"{base}/p/about", data={"role": "officer"}),
        "thanks before submitting (redirect)": client.get(f"{base}/thanks"),
        "unknown link": client.get(f"/s/{tokens.new_token()}"),
        "unknown section": client.get(f"{base}/p/nothing"),
        "open link": client.get(f"/o/{round_.open_link_token}"),
    }
    round_.status = "closed"
    session.commit()
    responses["closed round"] = client.get(base)
    app.config["TOKEN_GUESS_LIMIT"] = 1
    client.get(f"/s/{tokens.new_token()}")
    responses["too many guesses"] = client.get(f"/s/{tokens.new_token()}")
    responses["unreadable query"] = client.get(f"{base}?lang=%FF")
    statuses = {name: r.status_code for name, r in responses.items()}
    assert statuses == {
        "start": 200,
        "saved page (redirect)": 302,
        "page with errors": 422,
        "expired form": 400,
        "thanks before submitting (redirect)": 302,
        "unknown link": 404,
        "unknown section": 404,
        "open link": 200,
        "closed round": 410,
        "too many guesses": 429,
        "unreadable query": 400,
    }
    for name, response in responses.items():
        check_every_response(response, name)
        check_token_page(response, name)


def test_login_and_error_pages(client: FlaskClient, app: Flask) -> None:
    for url in ("/login", "/no-such-page", "/workspace/"):
        response = client.get(url)
        check_every_response(response, url)
        check_not_kept(response, url)
    too_large = client.post("/login", data={"email": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    assert too_large.status_code == 413
    check_every_response(too_large, "413")


def test_static_files_are_not_sniffed_and_may_be_cached(client: FlaskClient) -> None:
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


def test_the_csp_has_no_inline_script_anywhere(app: Flask) -> None:
    """The policy itself: nothing that would let an injected script run."""
    from surveyapp.web.security import CSP

    assert "unsafe-inline" not in CSP.split("script-src")[1].split(";")[0]
    assert "unsafe-eval" not in CSP and "data:" not in CSP.split("script-src")[1].split(";")[0]
