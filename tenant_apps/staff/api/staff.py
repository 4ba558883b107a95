"""Staff management: list, add or invite, change role, deactivate, set a PIN."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.errors import Forbidden, NotFound
from shared_apps.users.models import Role, User
from tenant_apps.staff.access import Action, role_allows
from tenant_apps.staff.authentication import is_api_key_request
from tenant_apps.staff.selectors import staff_get, staff_list
from tenant_apps.staff.services import (
    staff_create,
    staff_set_active,
    staff_set_pin,
    staff_update,
)


class StaffOutputSerializer(serializers.ModelSerializer[User]):
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
        ]
        read_only_fields = fields

    def get_has_pin(self, user: User) -> bool:
        return bool(user.pin_hash)


class StaffListCreateApi(APIView):
    required_actions = {"GET": Action.STAFF_VIEW, "POST": Action.STAFF_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        email = serializers.EmailField()
        full_name = serializers.CharField(max_length=150)
        role = serializers.ChoiceField(choices=Role.choices)
        password = serializers.CharField(
            required=False,
            allow_blank=True,
            trim_whitespace=False,
            max_length=128,
            help_text="Leave out to e-mail an invitation to choose one.",
        )

    @extend_schema(
        operation_id="staff_list",
        responses=inline_serializer("StaffList", {"results": StaffOutputSerializer(many=True)}),
    )
    def get(self, request: Request) -> Response:
        return Response({"results": StaffOutputSerializer(staff_list(), many=True).data})

    @extend_schema(request=InputSerializer, responses={201: StaffOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = staff_create(
            actor=request.user,  # type: ignore[arg-type]
            tenant=request.tenant,  # type: ignore[attr-defined]
            email=data["email"],
            full_name=data["full_name"],
            role=data["role"],
            password=data.get("password") or None,
        )
        return Response(StaffOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class StaffDetailApi(APIView):
    required_actions = {"GET": Action.STAFF_VIEW, "PATCH": Action.STAFF_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        full_name = serializers.CharField(max_length=150, required=False)
        role = serializers.ChoiceField(choices=Role.choices, required=False)

    @extend_schema(responses=StaffOutputSerializer)
    def get(self, request: Request, user_id: int) -> Response:
        user = staff_get(user_id)
        if user is None:
            raise NotFound("No such staff member.")
        return Response(StaffOutputSerializer(user).data)

    @extend_schema(request=InputSerializer, responses=StaffOutputSerializer)
    def patch(self, request: Request, user_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = staff_update(actor=request.user, user_id=user_id, **serializer.validated_data)  # type: ignore[arg-type]
        return Response(StaffOutputSerializer(user).data)


class StaffDeactivateApi(APIView):
    required_action = Action.STAFF_MANAGE

    @extend_schema(request=None, responses=StaffOutputSerializer)
    def post(self, request: Request, user_id: int) -> Response:
        user = staff_set_active(actor=request.user, user_id=user_id, active=False)  # type: ignore[arg-type]
        return Response(StaffOutputSerializer(user).data)


class StaffReactivateApi(APIView):
    required_action = Action.STAFF_MANAGE

    @extend_schema(request=None, responses=StaffOutputSerializer)
    def post(self, request: Request, user_id: int) -> Response:
        user = staff_set_active(actor=request.user, user_id=user_id, active=True)  # type: ignore[arg-type]
        return Response(StaffOutputSerializer(user).data)


class StaffPinApi(APIView):
    """Sets a till PIN: staff managers for the people they manage, anyone for themself."""

    class InputSerializer(serializers.Serializer[Any]):
        pin = serializers.CharField(max_length=6, min_length=4)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request, user_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if is_api_key_request(request):
            raise Forbidden("PINs belong to people; an API key cannot set one.")
        actor: User = request.user  # type: ignore[assignment]
        if actor.pk != user_id and not role_allows(actor.role, Action.STAFF_MANAGE):
            raise Forbidden("You may only set your own PIN.")
        staff_set_pin(actor=actor, user_id=user_id, pin=serializer.validated_data["pin"])
        return Response(status=status.HTTP_204_NO_CONTENT)
