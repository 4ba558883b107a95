"""Login, tokens, PIN switching and "who am I" on a business's host."""

from __future__ import annotations

from typing import Any

from dj_rest_auth.serializers import LoginSerializer, PasswordChangeSerializer
from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenRefreshView

from saas_platform.api.openapi_errors import Error
from saas_platform.api.shaping import OutputModelSerializer, shown, validated
from saas_platform.errors import Forbidden
from saas_platform.tenancy import current_business
from shared_apps.users import lockout, ratelimit
from shared_apps.users.models import User
from tenant_apps.staff.access import allowed_actions
from tenant_apps.staff.authentication import is_api_key_request
from tenant_apps.staff.selectors import staff_by_email
from tenant_apps.staff.services import password_reset_request, pin_matches
from tenant_apps.staff.tokens import (
    BY_PIN,
    TenantTokenRefreshSerializer,
    refresh_token_for,
    token_of_this_tenant,
)

INVALID_CREDENTIALS = "The e-mail or password is wrong."


class UserDetailsSerializer(OutputModelSerializer[User]):
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "pin_reset_required", "allowed_actions"]

    def get_allowed_actions(self, user: User) -> list[str]:
        return allowed_actions(user.role)


class TenantLoginSerializer(LoginSerializer):
    """dj-rest-auth's login by e-mail. The backoff is in the authentication backend, which the
    login page shares, so ``authenticate`` raises ``LoginLocked`` (429) while locked."""

    username = None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        email = str(attrs.get("email", "")).strip().lower()
        user = authenticate(self.context["request"], email=email, password=attrs.get("password"))
        if user is None:
            raise exceptions.AuthenticationFailed(INVALID_CREDENTIALS, code="invalid_credentials")
        attrs["user"] = user
        return attrs


class TenantPasswordChangeSerializer(PasswordChangeSerializer):
    """dj-rest-auth's password change, its old password checked by the login backend: with a
    stolen access token, guessing the password (to keep the account) meets the same lockout."""

    def validate_old_password(self, value: str) -> str:
        user = self.user
        if authenticate(self.request, email=user.email, password=value) is None:
            raise serializers.ValidationError(
                "Your old password is wrong. Please enter it again.", code="wrong_password"
            )
        return value


class TenantTokenRefreshView(TokenRefreshView):
    serializer_class = TenantTokenRefreshSerializer


def _token_pair(user: User, *, method: str) -> dict[str, Any]:
    refresh = refresh_token_for(user, method=method)
    return {
        "access": str(refresh.access_token),
        "refresh": str(refresh),
        "user": UserDetailsSerializer(user).data,
    }


class CredentialsApi(APIView):
    """Base of endpoints that take credentials in the body rather than a header."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        # Bad credentials are a 401 (DRF would answer 403 without a scheme to name).
        return "Bearer"


class LogoutApi(CredentialsApi):
    """Blacklists a refresh token of this business so it can mint no more access tokens."""

    class InputSerializer(serializers.Serializer[Any]):
        refresh = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={200: None})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        token_of_this_tenant(data["refresh"], RefreshToken).blacklist()
        return Response({"detail": "Logged out."})


class PinLoginApi(CredentialsApi):
    """Quick switching at a shared till: e-mail + PIN give the same tokens as a password login."""

    class InputSerializer(serializers.Serializer[Any]):
        email = serializers.EmailField()
        pin = serializers.CharField(max_length=6)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "TokenPair",
                {
                    "access": serializers.CharField(),
                    "refresh": serializers.CharField(),
                    "user": UserDetailsSerializer(),
                },
            ),
            403: OpenApiResponse(
                Error, description="`pin_reset_required`: an owner reset the PIN."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        email = data["email"].lower()
        address = lockout.client_address(request.META)
        lockout.check_not_locked(kind="pin", account=email, address=address)
        user = staff_by_email(email)
        if user is not None and user.is_active and user.pin_reset_required:
            raise Forbidden(
                "An owner reset your PIN. Sign in with your password and choose a new PIN.",
                code="pin_reset_required",
            )
        if user is None or not user.is_active or not pin_matches(user, data["pin"]):
            lockout.record_failure(kind="pin", account=email, address=address)
            raise exceptions.AuthenticationFailed(
                "The e-mail or PIN is wrong.", code="invalid_credentials"
            )
        lockout.record_success(kind="pin", account=email, address=address)
        return Response(_token_pair(user, method=BY_PIN), status=status.HTTP_200_OK)


class PasswordResetApi(CredentialsApi):
    """Mails a link to choose a new password, on this business's own domain.

    The answer is the same whether or not the address belongs to someone here. Throttled per
    client address and per e-mail (``PASSWORD_RESET_PER_*_PER_HOUR``): over the limit,
    ``429 throttled`` with ``Retry-After``, and no e-mail is sent.
    """

    class InputSerializer(serializers.Serializer[Any]):
        email = serializers.EmailField()

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer("PasswordResetSent", {"detail": serializers.CharField()}),
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        email = data["email"]
        ratelimit.throttle_password_reset(address=lockout.client_address(request.META), email=email)
        password_reset_request(tenant=current_business(), email=email)
        return Response(
            {"detail": "If this address belongs to someone here, a reset link is on its way."}
        )


class CurrentUserApi(APIView):
    """The signed-in person, their role and what they may do, so a UI can adapt."""

    @extend_schema(responses=UserDetailsSerializer)
    def get(self, request: Request) -> Response:
        if is_api_key_request(request):
            raise Forbidden(
                "An API key acts for an integration, not a person.", code="not_a_person"
            )
        return shown(UserDetailsSerializer, request.user)
