"""Fixed-window attempt counters, in memory and in the real Redis on 127.0.0.1."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from limits.storage import MemoryStorage

from builders import redis_or_skip
from surveyapp.ratelimit import Limiter, MemoryLimiter, RedisLimiter, make_limiter


def _redis_or_skip() -> Iterator[RedisLimiter]:
    limiter = RedisLimiter(redis_or_skip(), 60, prefix=f"test:{uuid.uuid4().hex}:")
    yield limiter
    client = redis.Redis.from_url(redis_or_skip())
    for key in client.scan_iter(match=limiter.prefix + "*"):
        client.delete(key)


@pytest.fixture(params=["memory", "redis"])
def limiter(request: pytest.FixtureRequest) -> Iterator[Limiter]:
    if request.param == "memory":
        yield MemoryLimiter(60)
    else:
        yield from _redis_or_skip()


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
    for first in _redis_or_skip():
        second = RedisLimiter(redis_or_skip(), 60, prefix=first.prefix)  # another worker
        first.hit("link-miss:192.0.2.1")
        second.hit("link-miss:192.0.2.1")
        assert first.count("link-miss:192.0.2.1") == 2


def test_the_memory_forgets_an_address_after_its_window() -> None:
    limiter = MemoryLimiter(1)
    assert isinstance(limiter.storage, MemoryStorage)
    for n in range(1000):
        limiter.hit(f"link-miss:2001:db8::{n:x}")
    assert len(limiter.storage.storage) == 1000
    time.sleep(2.1)  # past the window in which the entries were counted, and their expiry
    limiter.hit("link-miss:192.0.2.1")  # the storage sweeps expired entries then
    time.sleep(0.2)
    assert len(limiter.storage.storage) == 1


def test_make_limiter_picks_redis_only_when_configured() -> None:
    assert isinstance(make_limiter(None, 60), MemoryLimiter)
    assert isinstance(make_limiter("redis://127.0.0.1:6379/15", 60), RedisLimiter)
