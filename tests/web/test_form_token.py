"""A respondent's form token: flask_wtf's own, checked by CSRFProtect as configured (no time
limit, so a long questionnaire never expires); any other token is refused with the
expired-form page, never a server error."""

from __future__ import annotations

import re

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


def test_a_token_of_an_earlier_page_is_still_accepted(app: Flask, invitation: Invitation) -> None:
    client = app.test_client()
    url, first = _page(client, invitation)
    _page(client, invitation)
    reply = client.post(url, data={"csrf_token": first, "role": "officer", "action": "next"})
    assert reply.status_code in (200, 302), reply.status_code  # saved (200: questions added)


@pytest.mark.parametrize(
    "kind", ["another session's", "altered", "missing", "non-ASCII", "one non-ASCII character"]
)
def test_any_other_token_is_refused(app: Flask, invitation: Invitation, kind: str) -> None:
    client = app.test_client()
    url, token = _page(client, invitation)
    if kind == "another session's":
        token = _page(app.test_client(), invitation)[1]
    elif kind == "altered":
        # A character inside the signature: the last one carries only some of its bits,
        # so swapping it can decode to the same signature.
        i = len(token) - 10
        token = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    elif kind == "non-ASCII":
        token = "ä" * len(token)
    elif kind == "one non-ASCII character":
        token = token[:-1] + "é"
    data = {"role": "officer", "action": "next"}
    if kind != "missing":
        data["csrf_token"] = token
    reply = client.post(url, data=data)
    assert reply.status_code == 400
    assert "Your session had expired" in reply.get_data(as_text=True)
