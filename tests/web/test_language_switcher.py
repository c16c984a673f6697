"""The interface language switcher on the login page and in the workspace (no JavaScript:
links with ?lang=, which i18n.remember_choice keeps in the session)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient


def _switcher(html: str) -> str:
    match = re.search(r'<nav class="lang-switcher".*?</nav>', html, re.S)
    assert match, "no language switcher"
    return match.group(0)


def test_login_page_offers_every_interface_language(client: FlaskClient) -> None:
    nav = _switcher(client.get("/login").get_data(as_text=True))
    assert '<span aria-current="true" lang="en">English</span>' in nav
    assert 'href="/login?next=/workspace/&amp;lang=fi"' in nav and 'hreflang="fi">suomi<' in nav
    assert 'href="/login?next=/workspace/&amp;lang=sv"' in nav and 'hreflang="sv">svenska<' in nav


def test_a_language_chosen_on_the_login_page_is_kept(client: FlaskClient) -> None:
    html = client.get("/login?lang=fi").get_data(as_text=True)
    assert '<html lang="fi">' in html and "Kirjaudu" in html
    # The next page, without ?lang=, stays in Finnish.
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="fi">' in html
    assert '<span aria-current="true" lang="fi">suomi</span>' in _switcher(html)


def test_the_login_switcher_keeps_the_checked_next_page(client: FlaskClient) -> None:
    nav = _switcher(client.get("/login?next=/workspace/participants").get_data(as_text=True))
    assert 'href="/login?next=/workspace/participants&amp;lang=sv"' in nav
    # A target off the site is never carried (tests/security/test_redirects.py).
    nav = _switcher(client.get("/login?next=https://evil.example/").get_data(as_text=True))
    assert "evil.example" not in nav


def test_the_workspace_offers_the_interface_languages(
    client: FlaskClient, login: Callable[[FlaskClient, str], Any]
) -> None:
    login(client, "coordinator")
    html = client.get("/workspace/").get_data(as_text=True)
    nav = _switcher(html)
    assert 'href="/workspace/?lang=sv"' in nav
    html = client.get("/workspace/?lang=sv").get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert '<span aria-current="true" lang="sv">svenska</span>' in _switcher(html)
