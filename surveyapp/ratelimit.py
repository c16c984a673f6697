"""Counting attempts in fixed windows: in memory for one process, in Redis for several."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class LimiterUnavailable(RuntimeError):
    """The shared counter store (Redis) did not answer."""


class Limiter(Protocol):
    def hit(self, key: str) -> int:
        """Count one attempt; return the attempts in the current window."""

    def count(self, key: str) -> int:
        """Attempts in the current window, without counting one."""

    def reset(self, key: str) -> None:
        """Forget the attempts (after a successful login)."""


class MemoryLimiter:
    """Per-process counters; right for a single worker or development."""

    def __init__(self, window_seconds: int) -> None:
        self.window = window_seconds
        self._counts: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def _slot(self) -> int:
        return int(time.time() // self.window)

    def hit(self, key: str) -> int:
        with self._lock:
            slot = self._slot()
            seen_slot, count = self._counts.get(key, (slot, 0))
            count = count + 1 if seen_slot == slot else 1
            self._counts[key] = (slot, count)
            return count

    def count(self, key: str) -> int:
        with self._lock:
            seen_slot, count = self._counts.get(key, (0, 0))
            return count if seen_slot == self._slot() else 0

    def reset(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


class RedisLimiter:
    """Counters shared by every worker and machine through Redis."""

    def __init__(self, url: str, window_seconds: int, prefix: str = "surveyapp:rl:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2)
        self.window = window_seconds
        self.prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}:{int(time.time() // self.window)}"

    def hit(self, key: str) -> int:
        name = self._key(key)
        with self._answering():
            pipe = self.redis.pipeline()
            pipe.incr(name)
            pipe.expire(name, self.window * 2)
            return int(pipe.execute()[0])

    def count(self, key: str) -> int:
        with self._answering():
            value = self.redis.get(self._key(key))
        return int(value) if value else 0

    def reset(self, key: str) -> None:
        with self._answering():
            self.redis.delete(self._key(key))

    @contextmanager
    def _answering(self) -> Iterator[None]:
        """Redis errors as LimiterUnavailable, so callers need not know Redis."""
        import redis

        try:
            yield
        except redis.RedisError as error:
            raise LimiterUnavailable(str(error)) from error


def make_limiter(
    redis_url: str | None, window_seconds: int, prefix: str = "surveyapp:rl:"
) -> Limiter:
    """Counters in Redis when a URL is given (shared by every worker), else in this process."""
    if redis_url:
        return RedisLimiter(redis_url, window_seconds, prefix)
    return MemoryLimiter(window_seconds)
