"""Staff management: list, add or invite, change role, deactivate, PINs."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api import fields as api_fields
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.shaping import OutputModelSerializer, created, or_404, shown, validated
from saas_platform.errors import Forbidden
from saas_platform.tenancy import current_business
from shared_apps.users.models import Role, User
from tenant_apps.staff.access import Action
from tenant_apps.staff.authentication import is_api_key_request
from tenant_apps.staff.selectors import staff_get, staff_list
from tenant_apps.staff.services import (
    staff_create,
    staff_reset_pin,
    staff_set_active,
    staff_set_own_pin,
    staff_update,
)
from tenant_apps.staff.tokens import signed_in_by_password


class StaffOutputSerializer(OutputModelSerializer[User]):
    has_pin = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "is_active",
            "date_joined",
            "last_login",
            "has_pin",
            "pin_reset_required",
        ]

    def get_has_pin(self, user: User) -> bool:
        return bool(user.pin_hash)


class StaffListCreateApi(APIView):
    required_actions = {"GET": Action.STAFF_VIEW, "POST": Action.STAFF_MANAGE}
    plan_limited_methods = ("POST",)

    class InputSerializer(serializers.Serializer[Any]):
        email = api_fields.email()
        full_name = serializers.CharField(max_length=150)
        role = serializers.ChoiceField(choices=Role.choices)
        password = serializers.CharField(
            required=False,
            allow_blank=True,
            trim_whitespace=False,
            max_length=128,
            help_text="Leave out to e-mail an invitation to choose one.",
        )

    @list_schema(StaffOutputSerializer, "StaffList", operation_id="staff_list")
    def get(self, request: Request) -> Response:
        return paginated(request, staff_list(), StaffOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: StaffOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        user = staff_create(
            actor=request.user,  # type: ignore[arg-type]
            tenant=current_business(),
            email=data["email"],
            full_name=data["full_name"],
            role=data["role"],
            password=data.get("password") or None,
        )
        return created(StaffOutputSerializer, user)


class StaffDetailApi(APIView):
    required_actions = {"GET": Action.STAFF_VIEW, "PATCH": Action.STAFF_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        full_name = serializers.CharField(max_length=150, required=False)
        role = serializers.ChoiceField(choices=Role.choices, required=False)

    @extend_schema(responses=StaffOutputSerializer)
    def get(self, request: Request, user_id: int) -> Response:
        user = or_404(staff_get(user_id), "No such staff member.")
        return shown(StaffOutputSerializer, user)

    @extend_schema(request=InputSerializer, responses=StaffOutputSerializer)
    def patch(self, request: Request, user_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        user = staff_update(actor=request.user, user_id=user_id, **data)  # type: ignore[arg-type]
        return shown(StaffOutputSerializer, user)


class StaffDeactivateApi(APIView):
    required_action = Action.STAFF_MANAGE

    @extend_schema(request=None, responses=StaffOutputSerializer)
    def post(self, request: Request, user_id: int) -> Response:
        user = staff_set_active(actor=request.user, user_id=user_id, active=False)  # type: ignore[arg-type]
        return shown(StaffOutputSerializer, user)


class StaffReactivateApi(APIView):
    required_action = Action.STAFF_MANAGE

    @extend_schema(request=None, responses=StaffOutputSerializer)
    def post(self, request: Request, user_id: int) -> Response:
        user = staff_set_active(actor=request.user, user_id=user_id, active=True)  # type: ignore[arg-type]
        return shown(StaffOutputSerializer, user)


class StaffPinApi(APIView):
    """Sets one's own till PIN. Nobody sets anyone else's: whoever knows a PIN can sell under
    that name. Needs a password sign-in (a session, or a token from the password login), so a
    PIN sign-in cannot replace a PIN an owner reset."""

    class InputSerializer(serializers.Serializer[Any]):
        pin = serializers.CharField(max_length=6, min_length=4)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request, user_id: int) -> Response:
        if is_api_key_request(request):
            raise Forbidden("PINs belong to people; an API key cannot set one.")
        actor: User = request.user  # type: ignore[assignment]
        if actor.pk != user_id:
            raise Forbidden(
                "A PIN is set only by its owner. An owner may reset someone's PIN instead.",
                code="pin_owner_only",
            )
        if not signed_in_by_password(request.auth):
            raise Forbidden(
                "Sign in with your password to choose a PIN.", code="password_login_required"
            )
        data = validated(self.InputSerializer, request.data)
        staff_set_own_pin(user=actor, pin=data["pin"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class StaffPinResetApi(APIView):
    """An owner clears someone's PIN; they choose a new one after a password sign-in."""

    required_action = Action.STAFF_MANAGE

    @extend_schema(request=None, responses=StaffOutputSerializer)
    def post(self, request: Request, user_id: int) -> Response:
        user = staff_reset_pin(actor=request.user, user_id=user_id)  # type: ignore[arg-type]
        return shown(StaffOutputSerializer, user)
