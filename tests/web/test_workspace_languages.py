"""Every workspace page, and the login page, in every interface language: a smoke test over
the URL map. Each GET route is opened as a coordinator in each language; an HTML answer must
be in that language and hold no English interface text (tests/language_check.py).

A route whose dummy value names nothing still answers with a page (a 404 in the language),
which is tested the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from peer_review_world import build_review
from sqlalchemy.orm import Session
from test_access import ROUTES, World

from language_check import english_left
from surveyapp.languages import INTERFACE_LANGUAGES
from surveyapp.models import Invitation, Participant, Round

# Pages for people: not the read API (JSON), static files or the respondent's pages
# (tests/web/test_interface_language.py), nor the health check.
PAGES = [
    r
    for r in ROUTES
    if r.method == "GET"
    and r.endpoint.split(".")[0] not in ("api", "static", "respond", "health")
    and r.endpoint != "auth.logout"
    and not r.rule.startswith("/r/")  # a reviewer's pages: in the criteria set's languages
]
REVIEWER_PAGES = [r for r in ROUTES if r.method == "GET" and r.rule.startswith("/r/")]


@pytest.fixture
def world(
    make_round: Callable[..., Round],
    make_participant: Callable[..., Participant],
    make_invitation: Callable[..., Invitation],
    session: Session,
) -> World:
    round_ = make_round(open_link=True)
    person = make_participant(group="vg-2027")  # data, not an English word the check would see
    reviews = build_review(session)  # a peer review with a drafted agenda and an action
    return World(round_, person, make_invitation(round_, person), reviews.review, reviews.peer_sv)


def test_the_smoke_test_covers_the_workspace() -> None:
    endpoints = {r.endpoint for r in PAGES}
    assert {"coordinate.home", "results.dashboard", "feedback.triage", "auth.login"} <= endpoints
    assert len(PAGES) > 20, [str(r) for r in PAGES]


@pytest.mark.parametrize("lang", INTERFACE_LANGUAGES[1:])
def test_every_workspace_page_is_in_the_chosen_language(
    app: Flask, client: FlaskClient, login: Callable[..., Any], world: World, lang: str
) -> None:
    login_page = client.get(f"/login?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in login_page
    assert english_left(login_page, lang) == [], "the login page has English text"
    login(client, "coordinator")
    client.get(f"/workspace/?lang={lang}")
    checked = 0
    for route in PAGES:
        response = client.get(world.url(app, route), follow_redirects=True)
        if response.mimetype != "text/html":
            continue  # a download: a workbook, a PDF, a CSV
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html, f"{route} is not in {lang}"
        left = english_left(html, lang)
        assert left == [], f"{route} ({response.status_code}) has English text in {lang}"
        checked += 1
    assert checked > 15


@pytest.mark.parametrize("lang", ["fi", "sv"])  # the shipped criteria set's other languages
def test_every_reviewer_page_is_in_the_chosen_language(
    app: Flask, client: FlaskClient, world: World, lang: str
) -> None:
    """A peer reviewer's personal-link pages, in each language their criteria set has."""
    assert len(REVIEWER_PAGES) >= 4, [str(r) for r in REVIEWER_PAGES]
    checked = 0
    for route in REVIEWER_PAGES:
        url = world.url(app, route)
        response = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
        if response.mimetype != "text/html" or response.status_code == 302:
            continue  # a download, or a page that says "not yet" by going elsewhere
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html, f"{route} is not in {lang}"
        assert english_left(html, lang) == [], f"{route} has English text in {lang}"
        checked += 1
    assert checked >= 3
