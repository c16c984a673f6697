"""Counting attempts: in this process's memory, or in Redis shared by every worker.

The counters live in a storage of `limits` (the library under Flask-Limiter). Its entries
expire with their window, in memory as in Redis, so an address seen once is forgotten again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage


class LimiterUnavailable(RuntimeError):
    """The shared counter store (Redis) did not answer."""


class Limiter(Protocol):
    def hit(self, key: str) -> int:
        """Count one attempt; return the attempts in the current window."""

    def count(self, key: str) -> int:
        """Attempts in the current window, without counting one."""

    def reset(self, key: str) -> None:
        """Forget the attempts (after a successful login)."""


def make_storage(redis_url: str | None, prefix: str = "surveyapp:rl:") -> Storage:
    """Redis when a URL is given (shared by every worker), else this process's memory.

    Redis errors come out as limits.errors.StorageError, whatever the client library.
    """
    if redis_url:
        return RedisStorage(
            redis_url,
            key_prefix=prefix.rstrip(":"),
            wrap_exceptions=True,
            socket_timeout=2,
            socket_connect_timeout=2,
        )
    return MemoryStorage()


class WindowCounter:
    """Attempts per key in fixed windows of `window_seconds`, kept in a `limits` storage."""

    def __init__(self, storage: Storage, window_seconds: int) -> None:
        self.storage = storage
        self.window = window_seconds

    def _key(self, key: str) -> str:
        # The window's number is in the key, so a new window starts from zero; the entry
        # itself expires one window after its first attempt, which is never before its end.
        return f"{key}/{int(time.time() // self.window)}"

    def hit(self, key: str) -> int:
        with _answering():
            return self.storage.incr(self._key(key), self.window)

    def count(self, key: str) -> int:
        with _answering():
            return self.storage.get(self._key(key))

    def reset(self, key: str) -> None:
        with _answering():
            self.storage.clear(self._key(key))


class MemoryLimiter(WindowCounter):
    """Per-process counters; right for a single worker or development."""

    def __init__(self, window_seconds: int) -> None:
        super().__init__(MemoryStorage(), window_seconds)


class RedisLimiter(WindowCounter):
    """Counters shared by every worker and machine through Redis."""

    def __init__(self, url: str, window_seconds: int, prefix: str = "surveyapp:rl:") -> None:
        storage = make_storage(url, prefix)
        assert isinstance(storage, RedisStorage)
        super().__init__(storage, window_seconds)
        self.prefix = prefix
        self.redis = storage.get_connection()  # the client, for tests that clean up their keys


@contextmanager
def _answering() -> Iterator[None]:
    """Storage errors as LimiterUnavailable, so callers need not know Redis."""
    try:
        yield
    except StorageError as error:
        raise LimiterUnavailable(str(error.storage_error)) from error


def make_limiter(
    redis_url: str | None, window_seconds: int, prefix: str = "surveyapp:rl:"
) -> Limiter:
    """Counters in Redis when a URL is given (shared by every worker), else in this process."""
    if redis_url:
        return RedisLimiter(redis_url, window_seconds, prefix)
    return MemoryLimiter(window_seconds)
