"""Counting events in a time window, in the cache: what every rate limit of the product reads
(web-form posts, tracking hits, sign-ins, sign-ups). The cache prefixes each key with the
current schema (django_tenants.cache.make_key), so tenants never share a count."""

from django.core.cache import cache


def window_count(key: str, seconds: int) -> int:
    """Count one more event under ``key`` in a window of ``seconds`` that starts with its
    first event; returns the count so far. Atomic in Redis (INCR)."""
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=seconds)
        return 1
