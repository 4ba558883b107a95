"""The one way a password is checked: Django's model backend behind the login backoff.

Every password login — the business login page, ``POST /api/v1/auth/login/`` and the platform
console — goes through ``django.contrib.auth.authenticate``, and so through this backend. The
backoff lives here rather than in each form or serializer so that no path can forget it and all
of them share one set of counters: failures on the page count for the API and the other way
round, and a locked account is refused everywhere, even with the right password.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from shared_apps.users import lockout
from shared_apps.users.models import User

PASSWORD = "password"  # noqa: S105 (the name of a lockout counter, not a secret)


class LockoutModelBackend(ModelBackend):
    """``ModelBackend`` with per-account and per-address backoff (see ``lockout.py``).

    Raises ``lockout.LoginLocked`` (429 ``login_locked``) while the account or the client's
    address is locked; Django's ``authenticate`` lets it through to the caller, which shows it.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            # The page form says "username", our API serializer "email" (the USERNAME_FIELD).
            username = kwargs.pop(User.USERNAME_FIELD, None)
        if username is None or password is None:
            return None
        # E-mails are stored lower-case; the page form would otherwise miss "Owner@Shop.co".
        account = str(username).strip().lower()
        # Without a request (management commands, tests) all callers share one address bucket.
        address = lockout.client_address(request.META if request is not None else {})
        lockout.check_not_locked(kind=PASSWORD, account=account, address=address)
        user = super().authenticate(request, username=account, password=password, **kwargs)
        if user is None:
            lockout.record_failure(kind=PASSWORD, account=account, address=address)
        else:
            lockout.record_success(kind=PASSWORD, account=account, address=address)
        return user

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        # ModelBackend's async twin checks the password itself; route it through the backoff.
        return await sync_to_async(self.authenticate)(
            request, username=username, password=password, **kwargs
        )
