"""Brute-force protection for password and PIN logins: backoff per account and per address.

Counters live in the cache (Redis in production), whose keys are prefixed with the tenant's
schema, so one business's failures never lock out another's users.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

from django.conf import settings
from django.core.cache import cache

from saas_platform.counters import count_up
from saas_platform.errors import DukaError

ACCOUNT_FREE_ATTEMPTS = 5
ADDRESS_FREE_ATTEMPTS = 20
BASE_LOCK_SECONDS = 30
MAX_LOCK_SECONDS = 3600
COUNTER_TTL = 24 * 3600


class LoginLocked(DukaError):
    code = "login_locked"
    status = 429

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(
            f"Too many failed attempts. Try again in {self.retry_after} seconds.",
        )


def _keys(kind: str, account: str, address: str) -> tuple[str, str]:
    return f"login-fail:{kind}:acct:{account.lower()}", f"login-fail:{kind}:addr:{address}"


def _lock_seconds(failures: int, free: int) -> int:
    if failures < free:
        return 0
    # 30 s after the free attempts, doubling with each further failure, capped at an hour.
    return min(MAX_LOCK_SECONDS, BASE_LOCK_SECONDS * 2 ** (failures - free))


def check_not_locked(*, kind: str, account: str, address: str) -> None:
    """Raises ``LoginLocked`` while the account or the address is in a backoff period."""
    now = time.time()
    for key in _keys(kind, account, address):
        locked_until = cache.get(f"{key}:until")
        if locked_until and locked_until > now:
            raise LoginLocked(math.ceil(locked_until - now))


def record_failure(*, kind: str, account: str, address: str) -> None:
    account_key, address_key = _keys(kind, account, address)
    for key, free in ((account_key, ACCOUNT_FREE_ATTEMPTS), (address_key, ADDRESS_FREE_ATTEMPTS)):
        failures = count_up(key, COUNTER_TTL)
        seconds = _lock_seconds(failures, free)
        if seconds:
            cache.set(f"{key}:until", time.time() + seconds, seconds)


def record_success(*, kind: str, account: str, address: str) -> None:
    account_key, _ = _keys(kind, account, address)
    cache.delete_many([account_key, f"{account_key}:until"])


def client_address(meta: Mapping[str, object]) -> str:
    """The client's address: the peer, or the hop our own proxies recorded in front of them."""
    proxies = settings.TRUSTED_PROXY_COUNT
    hops = [h.strip() for h in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
    if proxies and len(hops) >= proxies:
        # Each trusted proxy appends the address it saw; anything further left is client-made.
        return hops[-proxies]
    return str(meta.get("REMOTE_ADDR", "unknown"))
