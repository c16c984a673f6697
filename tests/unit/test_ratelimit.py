"""Fixed-window attempt counters, in memory and in the real Redis on 127.0.0.1."""

from __future__ import annotations

import os
import uuid

import pytest

from surveyapp.ratelimit import Limiter, MemoryLimiter, RedisLimiter, make_limiter

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip() -> RedisLimiter:
    limiter = RedisLimiter(REDIS_URL, 60, prefix=f"test:{uuid.uuid4().hex}:")
    try:
        limiter.redis.ping()
    except Exception as error:  # any failure means no Redis here
        if os.environ.get("CI"):
            raise AssertionError(f"Redis at {REDIS_URL} is required in CI: {error}") from error
        pytest.skip(f"Redis at {REDIS_URL} is not reachable")
    return limiter


@pytest.fixture(params=["memory", "redis"])
def limiter(request: pytest.FixtureRequest) -> Limiter:
    return MemoryLimiter(60) if request.param == "memory" else _redis_or_skip()


def test_counts_hits_per_key_and_resets(limiter: Limiter) -> None:
    assert [limiter.hit("a") for _ in range(3)] == [1, 2, 3]
    assert limiter.count("a") == 3 and limiter.count("b") == 0
    limiter.reset("a")
    assert limiter.count("a") == 0


def test_a_new_window_starts_from_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr("surveyapp.ratelimit.time.time", lambda: clock[0])
    limiter = MemoryLimiter(60)
    limiter.hit("k")
    limiter.hit("k")
    clock[0] += 61
    assert limiter.count("k") == 0 and limiter.hit("k") == 1


def test_several_workers_share_the_count_through_redis() -> None:
    first = _redis_or_skip()
    second = RedisLimiter(REDIS_URL, 60, prefix=first.prefix)  # another worker, same Redis
    first.hit("login:account:x")
    second.hit("login:account:x")
    assert first.count("login:account:x") == 2


def test_make_limiter_picks_redis_only_when_configured() -> None:
    assert isinstance(make_limiter(None, 60), MemoryLimiter)
    assert isinstance(make_limiter(REDIS_URL, 60), RedisLimiter)
