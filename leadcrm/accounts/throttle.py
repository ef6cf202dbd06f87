"""Sign-in throttling: failed passwords are counted per account and per client address, and
too many lock sign-in for a while, longer each time it happens again.

Counters live in the cache, which prefixes every key with the tenant's schema
(django_tenants.cache.make_key): an account of one workspace never locks the same e-mail in
another. django-axes was considered; it applies one failure limit to every lockout parameter,
and the two limits here differ on purpose (a shared office address sees many people's typos).

- ACCOUNT_LIMIT failed sign-ins of one account within WINDOW lock that account;
- ADDRESS_LIMIT failed sign-ins from one address (any accounts: password spraying) lock that
  address;
- a lock lasts LOCK_BASE, doubled for each earlier lock of the same account or address within
  the day, at most LOCK_MAX;
- a successful sign-in clears the account's failures; resetting the password unlocks it.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache

from leadcrm.ratelimit import window_count

ACCOUNT_LIMIT = 8
ADDRESS_LIMIT = 40
WINDOW = timedelta(minutes=15)
LOCK_BASE = timedelta(minutes=15)
LOCK_MAX = timedelta(hours=24)
_DAY = 24 * 3600


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or, behind LEADCRM_TRUSTED_PROXIES proxies, the
    address the nearest of them saw in X-Forwarded-For (never a value the client wrote)."""
    proxies = getattr(settings, "LEADCRM_TRUSTED_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    return [
        (f"signin:account:{username.strip().lower()}", ACCOUNT_LIMIT),
        (f"signin:address:{address}", ADDRESS_LIMIT),
    ]


def signin_locked_for(*, username: str, address: str) -> int:
    """Seconds until sign-in is allowed again for this account or address (0: allowed)."""
    now = time.time()
    until = cache.get_many([f"{key}:lock" for key, _limit in _keys(username, address)])
    return max((int(ends - now) + 1 for ends in until.values() if ends > now), default=0)


def signin_failed(*, username: str, address: str) -> None:
    """Count a failed sign-in; lock the account or address that reached its limit."""
    for key, limit in _keys(username, address):
        if window_count(key, int(WINDOW.total_seconds())) >= limit:
            _lock(key)


def _lock(key: str) -> None:
    strikes = window_count(f"{key}:strikes", _DAY)
    seconds = min(LOCK_BASE.total_seconds() * 2 ** (strikes - 1), LOCK_MAX.total_seconds())
    cache.set(f"{key}:lock", time.time() + seconds, timeout=int(seconds))
    cache.delete(key)  # counting starts again once the lock is over


def signin_succeeded(*, username: str) -> None:
    cache.delete(f"signin:account:{username.strip().lower()}")


def signin_unlock(*, username: str) -> None:
    """Lift the account's lock and failures (a password reset proves who it is)."""
    key = f"signin:account:{username.strip().lower()}"
    cache.delete_many([key, f"{key}:lock", f"{key}:strikes"])
