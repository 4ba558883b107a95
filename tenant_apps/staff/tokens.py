"""JSON Web Tokens that name the business they were issued for.

simplejwt alone would accept a token on every tenant where a user with the same id exists
(simplejwt#758, django-tenants#983). Every token we issue carries the schema, and every place
that reads a token checks it against the schema of the request's host.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken, Token, UntypedToken

from saas_platform.tenancy import current_schema

SCHEMA_CLAIM = "schema"


class WrongTenantToken(exceptions.AuthenticationFailed):
    default_detail = "This token was issued for another business."
    default_code = "token_wrong_tenant"


def ensure_token_is_for_this_tenant(token: Token | UntypedToken) -> None:
    if token.get(SCHEMA_CLAIM) != current_schema():
        raise WrongTenantToken()


def refresh_token_for(user: Any) -> RefreshToken:
    token = RefreshToken.for_user(user)
    token[SCHEMA_CLAIM] = current_schema()
    token["role"] = getattr(user, "role", "")
    return token


class TenantTokenObtainPairSerializer(TokenObtainPairSerializer):
    """Used by dj-rest-auth to mint the pair at login (``JWT_TOKEN_CLAIMS_SERIALIZER``)."""

    @classmethod
    def get_token(cls, user: Any) -> RefreshToken:
        return refresh_token_for(user)


class TenantTokenRefreshSerializer(TokenRefreshSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        try:
            refresh = UntypedToken(attrs["refresh"])
        except Exception as exc:
            raise exceptions.AuthenticationFailed(
                "The refresh token is invalid or expired.", code="token_not_valid"
            ) from exc
        ensure_token_is_for_this_tenant(refresh)
        return super().validate(attrs)
