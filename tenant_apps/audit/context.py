"""Who the audit trail names as the actor of a request's changes.

auditlog's middleware opens a context per request holding the actor, but it sees only the
session user: JWTs and API keys are checked later, inside DRF. Our authentication classes call
``attribute_request_to`` once they know the principal, which fills in the same context, so every
entry written afterwards in the request names it.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest

from shared_apps.users.lockout import client_address
from shared_apps.users.models import User

# How the API shows an entry made with an API key; the key's prefix is kept in the entry's
# additional_data under this name, since an integration has no user row to point at.
API_KEY_MARKER = "api_key"


def request_address(request: HttpRequest) -> str | None:
    """The client's address as our trusted proxies saw it, or None when it is not an IP."""
    address = client_address(request.META)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class AuditContextMiddleware(AuditlogMiddleware):
    """auditlog's middleware, with the client address taken the way login backoff takes it.

    auditlog trusts the first ``X-Forwarded-For`` hop, which any client can write; we honour
    ``TRUSTED_PROXY_COUNT`` instead.
    """

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return request_address(request)


def attribute_request_to(*, user: Any = None, api_key_prefix: str | None = None) -> None:
    """Makes ``user`` (or the API key with ``api_key_prefix``) the actor of this request's entries.

    Outside a request (commands, tasks) there is no context and nothing happens.
    """
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if isinstance(user, User):
        context["actor"] = user
    if api_key_prefix is not None:
        context["actor"] = None
        context["additional_data"] = {API_KEY_MARKER: api_key_prefix}
