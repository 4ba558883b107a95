"""How API requests prove who they are: tenant-bound JWTs and per-tenant API keys."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import Token

from billing.usage import API_CALLS, usage_record
from saas_platform.tenancy import current_business
from tenant_apps.audit.context import attribute_request_to
from tenant_apps.staff.models import ApiKey
from tenant_apps.staff.principals import ApiKeyPrincipal
from tenant_apps.staff.tokens import ensure_token_is_for_this_tenant

API_KEY_KEYWORD = "Api-Key"
# last_used_at is for people reading the key list; minute precision spares a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TenantJWTAuthentication(JWTAuthentication):
    """simplejwt's bearer tokens, refused on any host but that of the business that issued them."""

    def get_validated_token(self, raw_token: bytes) -> Token:
        token = super().get_validated_token(raw_token)
        ensure_token_is_for_this_tenant(token)
        return token

    def authenticate(self, request: Request) -> tuple[Any, Token] | None:
        result = super().authenticate(request)
        if result is not None:
            attribute_request_to(user=result[0])
        return result


def digest(secret: str) -> str:
    # Keys carry 256 random bits, so a fast digest is enough; no key stretching needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(raw: str) -> tuple[str, str] | None:
    """``dk_<prefix>_<secret>`` → (prefix, secret)."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "dk" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def _meter(key: ApiKey) -> None:
    """One billable API call by this key (billing's ``api_calls`` metric); never fails the call."""
    if not settings.BILLING_METER_API_CALLS:
        return
    usage_record(
        tenant_id=current_business().pk,
        metric_code=API_CALLS,
        idempotency_key=f"api-{uuid.uuid4().hex}",
        properties={"api_key": key.prefix},
    )


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key dk_<prefix>_<secret>``."""

    def authenticate(self, request: Request) -> tuple[ApiKeyPrincipal, ApiKey] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() != API_KEY_KEYWORD.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the key as `Api-Key <key>`.")
        parts = split_key(header[1].decode(errors="replace"))
        if parts is None:
            raise exceptions.AuthenticationFailed("Malformed API key.", code="api_key_invalid")
        prefix, secret = parts
        key = ApiKey.objects.filter(prefix=prefix).first()
        if key is None or not hmac.compare_digest(key.secret_digest, digest(secret)):
            raise exceptions.AuthenticationFailed("Unknown API key.", code="api_key_invalid")
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                "This API key was revoked.", code="api_key_revoked"
            )
        if not key.is_usable:
            raise exceptions.AuthenticationFailed(
                "This API key has expired.", code="api_key_expired"
            )
        now = timezone.now()
        ApiKey.objects.filter(pk=key.pk).exclude(
            last_used_at__gt=now - LAST_USED_RESOLUTION
        ).update(last_used_at=now)
        attribute_request_to(api_key_prefix=key.prefix)
        _meter(key)
        return ApiKeyPrincipal(api_key=key), key

    def authenticate_header(self, request: Request) -> str:
        return API_KEY_KEYWORD


def is_api_key_request(request: Any) -> bool:
    return isinstance(getattr(request, "auth", None), ApiKey)
