"""Counters in the cache (Redis in every environment), shared by rate limits and lockouts."""

from __future__ import annotations

from django.core.cache import cache


def count_up(key: str, ttl: int) -> int:
    """Adds one to the counter ``key`` (made with ``ttl`` seconds to live) and returns it.

    Atomic in Redis, so concurrent requests are all counted. A counter that expires or is
    cleared between its creation and the increment (``incr`` of a missing key raises) is
    started again rather than failing the request.
    """
    for _ in range(3):
        cache.add(key, 0, ttl)
        try:
            return int(cache.incr(key))
        except ValueError:
            continue
    return 1
