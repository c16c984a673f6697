"""A respondent's form token: signed once per session and accepted without its signature
being checked again (forms.dynamic.signed_csrf_token, extensions.RememberingCSRFProtect);
any other token still meets flask_wtf's checks."""

from __future__ import annotations

import re

import flask_wtf.csrf
import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.models import Invitation


def _page(client: FlaskClient, invitation: Invitation) -> tuple[str, str]:
    url = f"/s/{invitation.token}/p/about"
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert found
    return url, found.group(1)


def test_the_same_token_on_every_page_of_a_session(app: Flask, invitation: Invitation) -> None:
    client = app.test_client()
    _url, first = _page(client, invitation)
    assert _page(client, invitation)[1] == first
    assert _page(app.test_client(), invitation)[1] != first, "another session, another token"


def test_a_token_signed_here_is_taken_without_checking_the_signature_again(
    app: Flask, invitation: Invitation, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    url, token = _page(client, invitation)

    def not_called(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the signature was checked again")

    monkeypatch.setattr(flask_wtf.csrf, "validate_csrf", not_called)
    reply = client.post(url, data={"csrf_token": token, "role": "officer", "action": "next"})
    assert reply.status_code in (200, 302), reply.status_code  # saved (200: questions added)


@pytest.mark.parametrize("kind", ["another session's", "altered", "missing"])
def test_any_other_token_is_refused(app: Flask, invitation: Invitation, kind: str) -> None:
    client = app.test_client()
    url, token = _page(client, invitation)
    if kind == "another session's":
        token = _page(app.test_client(), invitation)[1]
    elif kind == "altered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    data = {"role": "officer", "action": "next"}
    if kind != "missing":
        data["csrf_token"] = token
    reply = client.post(url, data=data)
    assert reply.status_code == 400
