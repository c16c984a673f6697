"""How often a login may fail: per address, and (with a much higher ceiling) per account.

An address gets a few free tries, then is refused for windows that grow (by default 5 per
15 minutes, 10 per hour, 20 per day). An account is never locked by a few failures: past
LOGIN_ACCOUNT_FREE failures each further try waits longer (1 s, 2 s, 4 s ... up to
LOGIN_ACCOUNT_MAX_DELAY), and only LOGIN_LIMIT_PER_ACCOUNT failures (50 an hour) refuse it
outright. So one address cannot lock the coordinator out, and guesses spread over many
addresses are slowed down. Refused tries are not counted. Each window starts with its first
failure, and its entry expires with it.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, RateLimitItemPerSecond, parse, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginLimits:
    """The limits, read from the app's configuration."""

    per_address: list[RateLimitItem]
    per_account: RateLimitItem
    account_free: int
    account_max_delay: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LoginLimits:
        return cls(
            per_address=parse_many(config["LOGIN_LIMITS_PER_ADDRESS"]),
            per_account=parse(config["LOGIN_LIMIT_PER_ACCOUNT"]),
            account_free=int(config["LOGIN_ACCOUNT_FREE"]),
            account_max_delay=int(config["LOGIN_ACCOUNT_MAX_DELAY"]),
        )

    def delay(self, failures: int) -> int:
        """Seconds the account waits after its latest failure: 0, then 1, 2, 4 ... at most max."""
        if failures <= self.account_free:
            return 0
        return int(min(2 ** (failures - self.account_free - 1), self.account_max_delay))


class LoginThrottle:
    """Failed logins counted in a shared storage (Redis), and in this process while it is down."""

    def __init__(self, limits: LoginLimits, shared: Storage) -> None:
        self.limits = limits
        self.shared = FixedWindowRateLimiter(shared)
        self.local = FixedWindowRateLimiter(MemoryStorage())

    def wait(self, account: str, address: str, *, known_device: bool = False) -> int:
        """Seconds until `account` may try again from `address`; 0: it may try now. A browser
        that has logged in to the account before (auth.known_devices) waits only for its
        address: guesses from elsewhere cannot keep the account's owner out."""
        try:
            shared = self._wait(self.shared, account, address, known_device)
        except StorageError as error:
            _unavailable(error)
            shared = 0.0
        return math.ceil(max(shared, self._wait(self.local, account, address, known_device)))

    def failed(self, account: str, address: str) -> None:
        """Count a failed login: for the address, for the account, and the account's delay."""
        try:
            self._count(self.shared, account, address)
        except StorageError as error:
            _unavailable(error)
            self._count(self.local, account, address)

    def succeeded(self, account: str) -> None:
        """The account's failures are forgotten; the address's are not."""
        self.local.clear(self.limits.per_account, "login-account", account)
        try:
            self.shared.clear(self.limits.per_account, "login-account", account)
        except StorageError as error:
            _unavailable(error)

    def _wait(
        self, counter: FixedWindowRateLimiter, account: str, address: str, known_device: bool
    ) -> float:
        checks = [(item, "login-address", address) for item in self.limits.per_address]
        if not known_device:
            checks.append((self.limits.per_account, "login-account", account))
            pause = self._pause(counter, account)
            if pause is not None:
                checks.append((pause, "login-pause", account))
        now = time.time()
        # Redis tells the time left in whole seconds, possibly 0 for a key about to expire:
        # a refusal always asks for at least a second.
        waits = [
            max(1.0, counter.get_window_stats(item, kind, key).reset_time - now)
            for item, kind, key in checks
            if not counter.test(item, kind, key)
        ]
        return max([0.0, *waits])

    def _pause(self, counter: FixedWindowRateLimiter, account: str) -> RateLimitItem | None:
        """The account's current delay as a limit of one try per that many seconds."""
        item = self.limits.per_account
        stats = counter.get_window_stats(item, "login-account", account)
        seconds = self.limits.delay(item.amount - stats.remaining)
        return RateLimitItemPerSecond(1, seconds) if seconds else None

    def _count(self, counter: FixedWindowRateLimiter, account: str, address: str) -> None:
        for item in self.limits.per_address:
            counter.hit(item, "login-address", address)
        counter.hit(self.limits.per_account, "login-account", account)
        pause = self._pause(counter, account)
        if pause is not None:
            counter.hit(pause, "login-pause", account)


def _unavailable(error: StorageError) -> None:
    log.warning("login limits in this process only: %s", error.storage_error)
