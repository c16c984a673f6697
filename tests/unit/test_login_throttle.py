"""Failed-login limits per address and per account, in memory and in the real Redis.

Windows here are a second or two long, so expiry is seen with the real clock.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from limits.storage import MemoryStorage, Storage

from builders import redis_or_skip
from surveyapp.auth.throttle import LoginLimits, LoginThrottle
from surveyapp.config import load_config
from surveyapp.ratelimit import make_storage

COORDINATOR = "coordinator@partnership.example"


def limits(**changes: Any) -> LoginLimits:
    config = {
        "LOGIN_LIMITS_PER_ADDRESS": "5 per 15 minutes; 10 per hour; 20 per day",
        "LOGIN_LIMIT_PER_ACCOUNT": "50 per hour",
        "LOGIN_ACCOUNT_FREE": 10,
        "LOGIN_ACCOUNT_MAX_DELAY": 60,
        **changes,
    }
    return LoginLimits.from_config(config)


@pytest.fixture(params=["memory", "redis"])
def storage(request: pytest.FixtureRequest) -> Iterator[Storage]:
    if request.param == "memory":
        yield MemoryStorage()
        return
    prefix = f"test:{uuid.uuid4().hex}:"
    yield make_storage(redis_or_skip(), prefix)
    client = redis.Redis.from_url(redis_or_skip())
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


def fail(throttle: LoginThrottle, times: int, address: str, account: str = COORDINATOR) -> None:
    for _ in range(times):
        assert throttle.wait(account, address) == 0, "a try that is allowed"
        throttle.failed(account, address)


def about(wait: int, seconds: int) -> bool:
    """Redis tells the time left in whole seconds, rounded: a second more is right too."""
    return seconds <= wait <= seconds + 1


def test_the_defaults_are_the_configured_ones() -> None:
    config = load_config({"SECRET_KEY": "x"})
    assert LoginLimits.from_config(config) == limits()


def test_one_address_cannot_lock_out_the_account_from_another(storage: Storage) -> None:
    throttle = LoginThrottle(limits(), storage)
    fail(throttle, 5, "198.51.100.7")
    assert about(throttle.wait(COORDINATOR, "198.51.100.7"), 900), "this address waits"
    assert throttle.wait("someone.else@partnership.example", "198.51.100.7") > 0
    assert throttle.wait(COORDINATOR, "192.0.2.50") == 0, "the coordinator, elsewhere, may"


def test_an_address_is_refused_for_growing_windows_that_expire(storage: Storage) -> None:
    throttle = LoginThrottle(
        limits(LOGIN_LIMITS_PER_ADDRESS="2 per 1 second; 3 per 3 seconds"), storage
    )
    fail(throttle, 2, "198.51.100.7")
    assert about(throttle.wait(COORDINATOR, "198.51.100.7"), 1)
    time.sleep(1.1)
    fail(throttle, 1, "198.51.100.7")
    assert about(throttle.wait(COORDINATOR, "198.51.100.7"), 2), "the longer window holds now"
    time.sleep(2.1)
    assert throttle.wait(COORDINATOR, "198.51.100.7") == 0, "and it expires too"


def test_past_its_free_failures_an_account_waits_longer_each_time(storage: Storage) -> None:
    throttle = LoginThrottle(limits(LOGIN_ACCOUNT_FREE=2, LOGIN_ACCOUNT_MAX_DELAY=2), storage)
    for n in range(2):
        fail(throttle, 1, f"192.0.2.{n}")
    assert throttle.wait(COORDINATOR, "203.0.113.1") == 0, "two failures are free"
    fail(throttle, 1, "192.0.2.2")
    assert about(throttle.wait(COORDINATOR, "203.0.113.1"), 1), "from any address"
    time.sleep(1.1)
    fail(throttle, 1, "192.0.2.3")
    assert about(throttle.wait(COORDINATOR, "203.0.113.1"), 2)
    time.sleep(2.1)
    fail(throttle, 1, "192.0.2.4")
    assert about(throttle.wait(COORDINATOR, "203.0.113.1"), 2), "never more than the maximum"
    time.sleep(2.1)
    assert throttle.wait(COORDINATOR, "203.0.113.1") == 0, "a delay, never a lock"


def test_the_account_ceiling_applies_across_addresses_and_expires(storage: Storage) -> None:
    throttle = LoginThrottle(limits(LOGIN_LIMIT_PER_ACCOUNT="6 per 2 seconds"), storage)
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        fail(throttle, 2, address)
    assert throttle.wait(COORDINATOR, "203.0.113.1") > 0, "a fourth address is refused"
    assert throttle.wait("other@partnership.example", "203.0.113.1") == 0
    time.sleep(2.1)
    assert throttle.wait(COORDINATOR, "203.0.113.1") == 0


def test_a_success_forgets_the_accounts_failures_not_the_addresses(storage: Storage) -> None:
    throttle = LoginThrottle(limits(LOGIN_ACCOUNT_FREE=1), storage)
    fail(throttle, 2, "192.0.2.1")
    assert throttle.wait(COORDINATOR, "192.0.2.2") > 0
    throttle.succeeded(COORDINATOR)
    assert throttle.wait(COORDINATOR, "192.0.2.2") == 0
    fail(throttle, 2, "192.0.2.2", account="x@partnership.example")
    throttle.succeeded("x@partnership.example")
    assert throttle.wait(COORDINATOR, "192.0.2.2") == 0
    fail(throttle, 2, "192.0.2.2", account="y@partnership.example")
    fail(throttle, 1, "192.0.2.2", account="z@partnership.example")
    assert throttle.wait(COORDINATOR, "192.0.2.2") > 0, "5 failures from this address"


def test_the_memory_forgets_every_address_and_account_after_its_window() -> None:
    storage = MemoryStorage()
    throttle = LoginThrottle(
        limits(
            LOGIN_LIMITS_PER_ADDRESS="5 per 1 second; 10 per 2 seconds",
            LOGIN_LIMIT_PER_ACCOUNT="50 per 1 second",
            LOGIN_ACCOUNT_FREE=0,
            LOGIN_ACCOUNT_MAX_DELAY=1,
        ),
        storage,
    )
    for n in range(500):
        throttle.failed(f"guess{n}@partnership.example", f"2001:db8::{n:x}")
    assert len(storage.storage) == 500 * 4, "two address windows, the account, its pause"
    time.sleep(2.1)
    throttle.failed(COORDINATOR, "192.0.2.1")  # the storage sweeps expired entries then
    time.sleep(0.2)
    assert len(storage.storage) <= 4 and len(storage.expirations) <= 4


def test_an_unreachable_redis_leaves_the_limits_to_this_process() -> None:
    throttle = LoginThrottle(limits(), make_storage("redis://127.0.0.1:1/0"))  # nothing listens
    assert throttle.wait(COORDINATOR, "198.51.100.7") == 0
    fail(throttle, 5, "198.51.100.7")
    assert throttle.wait(COORDINATOR, "198.51.100.7") > 0
    assert throttle.wait(COORDINATOR, "192.0.2.50") == 0
    throttle.succeeded(COORDINATOR)  # no error either


def test_a_mistyped_limit_is_refused() -> None:
    with pytest.raises(ValueError):
        limits(LOGIN_LIMIT_PER_ACCOUNT="fifty an hour")
