"""Open redirects through `next=`: after logging in, and on the login
page of someone already logged in, `next` leads only to a path on this site."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from builders import PASSWORD, log_in
from surveyapp.models import User

# As they arrive in the form or the query string, after one URL decoding.
TARGETS = [
    "//evil.example",
    "///evil.example",
    "////evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "\\/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "https://evil.example/",
    "HTTPS://evil.example",
    "http://127.0.0.1.evil.example/",
    "%2F%2Fevil.example",  # still encoded once more
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "/\r\nLocation: https://evil.example",
    "/workspace/\r\nSet-Cookie: session=x",
    "@evil.example",
    "evil.example",
    "data:text/html,<script>alert(1)</script>",
]
# Paths of this site that only look odd: following them is harmless, as long as what the
# browser gets is still one path here (escapes stay escaped, no header is split).
LOCAL_ODDITIES = ["/%2F/evil.example", "/%0d%0aSet-Cookie:x=1", "/.//evil.example"]
HOME = "/workspace/"


def stays_here(location: str) -> bool:
    """A relative path of this site, without anything a browser would read as another host."""
    parts = urlsplit(location)
    return (
        location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and not parts.scheme
        and not parts.netloc
        and "\\" not in location
        and not any(ord(c) < 32 for c in location)
    )


@pytest.fixture
def account(session: Session) -> User:
    """An account that logs in through the real form (with a quick hash: a test, not a vault)."""
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    user = User(email="redirects@partnership.example", role="coordinator", password_hash=hashed)
    session.add(user)
    session.commit()
    return user


@pytest.mark.parametrize("target", TARGETS)
def test_next_after_logging_in_stays_on_the_site(
    client: FlaskClient, account: User, target: str
) -> None:
    response = log_in(client, account.email, next=target)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert stays_here(location), f"next={target!r} led to {location!r}"
    assert location == HOME


@pytest.mark.parametrize("target", TARGETS)
def test_next_on_the_login_page_stays_on_the_site(
    client: FlaskClient, as_user: Callable[[FlaskClient, str], User], target: str
) -> None:
    anonymous = client.get("/login?next=" + quote(target, safe=""))
    assert anonymous.status_code == 200
    assert "evil.example" not in anonymous.get_data(as_text=True), "not even in the form"
    as_user(client, "coordinator")
    response = client.get("/login?next=" + quote(target, safe=""))
    assert response.status_code == 302
    assert response.headers["Location"] == HOME, f"next={target!r}"


@pytest.mark.parametrize("target", LOCAL_ODDITIES)
def test_odd_paths_of_this_site_stay_paths_of_this_site(
    client: FlaskClient, account: User, target: str
) -> None:
    response = log_in(client, account.email, next=target)
    assert response.status_code == 302
    assert stays_here(response.headers["Location"])
    assert not any(c.startswith("x=") for c in response.headers.get_all("Set-Cookie"))


@pytest.mark.parametrize("path", ["/workspace/participants?q=espoo", "/workspace/rounds/1"])
def test_a_path_of_this_site_is_followed(client: FlaskClient, account: User, path: str) -> None:
    """The control: `next` does work, so the refusals above are refusals."""
    response = log_in(client, account.email, next=path)
    assert response.headers["Location"] == path
    assert stays_here(path)


def test_the_login_redirect_carries_only_the_path(client: FlaskClient) -> None:
    response = client.get("/workspace/participants?q=x", base_url="http://evil.example")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/login?next=") and stays_here(location)
