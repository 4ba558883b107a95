"""JSON Web Tokens that name the business they were issued for.

simplejwt alone would accept a token on every tenant where a user with the same id exists
(simplejwt#758, django-tenants#983). Every token we issue carries the schema, and every place
that reads a token checks it against the schema of the request's host.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.utils import timezone
from rest_framework import exceptions
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, Token, UntypedToken

from saas_platform.tenancy import current_schema

SCHEMA_CLAIM = "schema"
# How the person proved who they are: "password" or "pin". Kept through refreshes (simplejwt
# copies claims), so a PIN sign-in can never pass for a password one (setting a PIN needs one).
AUTH_METHOD_CLAIM = "auth_method"
BY_PASSWORD = "password"  # noqa: S105 (a sign-in method, not a secret)
BY_PIN = "pin"


class WrongTenantToken(exceptions.AuthenticationFailed):
    default_detail = "This token was issued for another business."
    default_code = "token_wrong_tenant"


TokenT = TypeVar("TokenT", bound=Token)


def ensure_token_is_for_this_tenant(token: Token | UntypedToken) -> None:
    if token.get(SCHEMA_CLAIM) != current_schema():
        raise WrongTenantToken()


def token_of_this_tenant(raw: Any, kind: type[TokenT]) -> TokenT:
    """``raw`` (as a request gave it) read as a ``kind`` token and checked to be this
    business's: a token that does not read (forged, expired, of another type) is a 401
    ``token_not_valid``, another business's a 401 ``token_wrong_tenant``."""
    try:
        token = kind(raw)
    except Exception as exc:
        raise exceptions.AuthenticationFailed(
            "The refresh token is invalid or expired.", code="token_not_valid"
        ) from exc
    ensure_token_is_for_this_tenant(token)
    return token


def refresh_token_for(user: Any, *, method: str = BY_PASSWORD) -> RefreshToken:
    token = RefreshToken.for_user(user)
    token[SCHEMA_CLAIM] = current_schema()
    token["role"] = getattr(user, "role", "")
    token[AUTH_METHOD_CLAIM] = method
    return token


def signed_in_by_password(auth: Any) -> bool:
    """Whether a request's credentials come from a password login: a session (only the login
    page makes one) or a token minted by a password login."""
    if auth is None:
        return True  # session authentication leaves request.auth empty
    return isinstance(auth, Token) and auth.get(AUTH_METHOD_CLAIM) == BY_PASSWORD


def revoke_refresh_tokens(user: Any) -> None:
    """Blacklists every unexpired refresh token of ``user``: they must sign in again."""
    live = OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    )
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in live], ignore_conflicts=True
    )


class TenantTokenObtainPairSerializer(TokenObtainPairSerializer):
    """Used by dj-rest-auth to mint the pair at login (``JWT_TOKEN_CLAIMS_SERIALIZER``)."""

    @classmethod
    def get_token(cls, user: Any) -> RefreshToken:
        return refresh_token_for(user)


class TenantTokenRefreshSerializer(TokenRefreshSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        token_of_this_tenant(attrs["refresh"], UntypedToken)
        return super().validate(attrs)
