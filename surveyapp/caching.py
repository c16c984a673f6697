"""The one shape of cache a worker keeps: thread-safe, least recently used, bounded in bytes.

A cache bounded by its number of entries grows with the size of what goes into it; one keyed
by what a visitor sent grows with every request and keeps what was sent. So every cache of
the app is a ByteBoundedCache whose keys and values come from survey definitions and
templates, never from answers, and whose size is an estimate the caller gives per entry.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ByteBoundedCache(Generic[K, V]):
    """A mapping of at most `max_bytes` estimated bytes; the least recently used goes first.

    Each entry comes with the caller's estimate of its bytes; an entry larger than the whole
    bound is not kept at all.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value kept under `key`, now the most recently used; None if there is none."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V, size: int) -> None:
        """Keep `value` (about `size` bytes with its key) under `key`, dropping the least
        recently used entries to make room."""
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size > self.max_bytes:
                return
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _key, (_value, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    @property
    def bytes(self) -> int:
        """The estimated size of what is kept now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def items(self) -> list[tuple[K, V]]:
        """A snapshot of the entries, least recently used first."""
        with self._lock:
            return [(key, value) for key, (value, _size) in self._entries.items()]


def text_bytes(texts: Iterable[str]) -> int:
    """What a sequence of strings takes in memory, each with its object header."""
    return sum(sys.getsizeof(text) for text in texts)
