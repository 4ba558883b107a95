"""API keys for integrators: create (secret shown once), list, revoke."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.shaping import OutputModelSerializer, validated
from tenant_apps.staff.access import SCOPES, Action
from tenant_apps.staff.models import ApiKey
from tenant_apps.staff.selectors import api_key_list
from tenant_apps.staff.services import api_key_create, api_key_revoke


class ApiKeyOutputSerializer(OutputModelSerializer[ApiKey]):
    created_by = serializers.EmailField(source="created_by.email")
    status = serializers.SerializerMethodField()

    class Meta:
        model = ApiKey
        fields = [
            "id", "name", "prefix", "scopes", "rate_limit_per_minute", "created_by",
            "created_at", "last_used_at", "expires_at", "revoked_at", "status",
        ]  # fmt: skip

    def get_status(self, api_key: ApiKey) -> str:
        if api_key.revoked_at is not None:
            return "revoked"
        return "active" if api_key.is_usable else "expired"


class ApiKeyListCreateApi(APIView):
    required_action = Action.API_KEYS_MANAGE
    plan_limited_methods = ("POST",)

    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=100)
        scopes = serializers.ListField(
            child=serializers.ChoiceField(choices=sorted(SCOPES)), allow_empty=False
        )
        expires_at = serializers.DateTimeField(required=False, allow_null=True)
        rate_limit_per_minute = serializers.IntegerField(
            required=False, allow_null=True, min_value=1, max_value=100_000
        )

    @list_schema(ApiKeyOutputSerializer, "ApiKeyList")
    def get(self, request: Request) -> Response:
        return paginated(request, api_key_list(), ApiKeyOutputSerializer)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "ApiKeyCreated",
                {
                    "api_key": ApiKeyOutputSerializer(),
                    "key": serializers.CharField(help_text="Shown once; store it now."),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        issued = api_key_create(actor=request.user, **data)  # type: ignore[arg-type]
        body = {"api_key": ApiKeyOutputSerializer(issued.api_key).data, "key": issued.key}
        return Response(body, status=status.HTTP_201_CREATED)


class ApiKeyRevokeApi(APIView):
    required_action = Action.API_KEYS_MANAGE

    @extend_schema(request=None, responses=ApiKeyOutputSerializer)
    def post(self, request: Request, api_key_id: int) -> Response:
        return Response(ApiKeyOutputSerializer(api_key_revoke(api_key_id=api_key_id)).data)
