"""The read API's rate limits: per token, and per address for failed tokens (429)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from api_world import ApiClient
from flask.testing import FlaskClient

Maker = Callable[..., Any]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "API_RATE_LIMIT": 3, "API_FAILURE_LIMIT": 3}


def test_a_token_gets_429_with_retry_after_past_its_limit(
    client: FlaskClient, make_token: Maker
) -> None:
    api = ApiClient(client, make_token("editor"))
    assert [api.get("/api/v1/rounds").status_code for _ in range(3)] == [200] * 3
    refused = api.get("/api/v1/rounds")
    assert refused.status_code == 429 and refused.get_json() == {"error": "too many requests"}
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    other = ApiClient(client, make_token("editor", name="another"))
    assert other.get("/api/v1/rounds").status_code == 200, "the limit is per token"


def test_an_address_with_many_failed_tokens_gets_429_even_with_a_good_one(
    client: FlaskClient, make_token: Maker
) -> None:
    good = ApiClient(client, make_token("editor"))
    bad = ApiClient(client, "sa_guess")
    assert [bad.get("/api/v1/rounds").status_code for _ in range(3)] == [401] * 3
    refused = good.get("/api/v1/rounds")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    elsewhere = good.get("/api/v1/rounds", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert elsewhere.status_code == 200, "the failures are counted per address"
