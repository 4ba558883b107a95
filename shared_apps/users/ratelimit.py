"""Throttles on requests that cost us or mail someone: signups and password-reset requests.

Fixed one-hour windows counted atomically in the cache (``incr`` is atomic in Redis, so parallel
requests are all counted). Keys are tenant-prefixed by the cache's key function, so one
business's counters never touch another's. Login failures have their own backoff
(``lockout.py``); these limits count every accepted attempt, successful or not.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings

from saas_platform.counters import count_up
from saas_platform.errors import DukaError

HOUR = 3600


class Throttled(DukaError):
    code = "throttled"
    status = 429

    def __init__(self, retry_after: int, what: str) -> None:
        self.retry_after = max(1, retry_after)
        minutes = math.ceil(self.retry_after / 60)
        super().__init__(f"Too many {what}. Try again in {minutes} minute{'s' * (minutes != 1)}.")


def _ident(value: str) -> str:
    # E-mails are hashed: bounded key length, and no addresses readable in the cache.
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def take(*, scope: str, ident: str, limit: int, what: str, window: int = HOUR) -> None:
    """Counts one attempt of ``scope`` by ``ident``; raises ``Throttled`` over ``limit``."""
    now = time.time()
    slot = int(now // window)
    key = f"rate:{scope}:{_ident(ident)}:{slot}"
    if count_up(key, window + 60) > limit:
        raise Throttled(math.ceil((slot + 1) * window - now), what)


def _per_address_then_email(
    *, scope: str, address: str, email: str, limits: tuple[int, int], what: str
) -> None:
    """Counts the client address first, then the e-mail; ``limits`` is (per address, per
    e-mail) in an hour."""
    take(scope=f"{scope}:addr", ident=address, limit=limits[0], what=what)
    take(scope=f"{scope}:email", ident=email, limit=limits[1], what=what)


def throttle_signup(*, address: str, email: str) -> None:
    """Per client address, then per owner e-mail: each signup makes a whole schema."""
    _per_address_then_email(
        scope="signup",
        address=address,
        email=email,
        limits=(settings.SIGNUP_PER_ADDRESS_PER_HOUR, settings.SIGNUP_PER_EMAIL_PER_HOUR),
        what="sign-ups",
    )


def _reset_limits() -> tuple[int, int]:
    return (
        settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR,
        settings.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR,
    )


def throttle_password_reset(*, address: str, email: str) -> None:
    """Per client address, then per e-mail asked about (whether or not it has an account, so
    that a refusal tells nothing about who works here): each request may send an e-mail."""
    _per_address_then_email(
        scope="reset",
        address=address,
        email=email,
        limits=_reset_limits(),
        what="password-reset requests",
    )


def throttle_business_lookup(*, address: str, email: str) -> None:
    """The root domain's "find my business" e-mail: per client address, then per e-mail asked
    about, with the password reset's limits (each request may send an e-mail)."""
    _per_address_then_email(
        scope="lookup",
        address=address,
        email=email,
        limits=_reset_limits(),
        what="requests for business links",
    )
