"""The one cache helper: bounded in bytes (not in entries), least recently used out first."""

from __future__ import annotations

import threading

from surveyapp.caching import ByteBoundedCache, text_bytes


def test_the_bound_is_in_bytes_whatever_the_number_of_entries() -> None:
    cache: ByteBoundedCache[int, str] = ByteBoundedCache(max_bytes=10_000)
    for n in range(1_000):
        cache.put(n, "x" * 100, size=100)
    assert cache.bytes <= 10_000 and len(cache) == 100
    cache.put(-1, "y" * 6_000, size=6_000)
    assert cache.bytes <= 10_000 and len(cache) == 41, "one big entry pushes out 60 small"
    assert cache.get(999) is not None and cache.get(950) is None


def test_an_entry_larger_than_the_bound_is_not_kept() -> None:
    cache: ByteBoundedCache[str, str] = ByteBoundedCache(max_bytes=1_000)
    cache.put("small", "s", size=10)
    cache.put("huge", "h" * 2_000, size=2_000)
    assert cache.get("huge") is None and cache.get("small") == "s"
    assert cache.bytes == 10


def test_the_least_recently_used_goes_first_and_a_replaced_entry_is_counted_once() -> None:
    cache: ByteBoundedCache[str, int] = ByteBoundedCache(max_bytes=300)
    for key in "abc":
        cache.put(key, 1, size=100)
    assert cache.get("a") == 1  # now the most recently used
    cache.put("b", 2, size=100)  # replaced, not added
    assert cache.bytes == 300
    cache.put("d", 1, size=100)
    assert [key for key, _value in cache.items()] == ["a", "b", "d"], "c was the oldest"


def test_threads_never_push_it_past_its_bound() -> None:
    cache: ByteBoundedCache[tuple[int, int], str] = ByteBoundedCache(max_bytes=50_000)

    def work(thread: int) -> None:
        for n in range(2_000):
            key = (thread, n % 300)
            cache.put(key, "v", size=100 + key[1] % 7)
            cache.get((thread, (n * 7) % 300))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kept = cache.items()
    assert 40_000 < cache.bytes <= 50_000
    assert cache.bytes == sum(100 + n % 7 for (_thread, n), _value in kept), "counted right"


def test_text_bytes_counts_each_string_with_its_header() -> None:
    assert text_bytes(["", ""]) > 0
    assert text_bytes(["x" * 1_000]) >= 1_000
