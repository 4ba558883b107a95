"""Console API on the root domain, for platform owners only."""

from __future__ import annotations

from collections.abc import Sequence

from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.pagination import PageQuerySerializer, list_schema, paginated
from shared_apps.console.access import IsPlatformOwner
from shared_apps.console.selectors import (
    ConsoleTenantRow,
    console_tenant_list,
    console_tenant_rows,
)
from shared_apps.tenants.models import TenantStatus


class ConsoleTenantListApi(APIView):
    """Businesses on the platform with their status and aggregates, newest first."""

    # Explicit, so that tenant-side authentication (JWTs, API keys) never reaches the console.
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsPlatformOwner]

    class FilterSerializer(PageQuerySerializer):
        status = serializers.ChoiceField(choices=TenantStatus.choices, required=False)
        search = serializers.CharField(max_length=100, required=False, allow_blank=True)

    # Typed for both uses: one row, or a page of rows with many=True.
    class OutputSerializer(serializers.Serializer[ConsoleTenantRow | Sequence[ConsoleTenantRow]]):
        slug = serializers.CharField(source="tenant.slug")
        name = serializers.CharField(source="tenant.name")
        status = serializers.CharField(source="tenant.status")
        status_reason = serializers.CharField(source="tenant.status_reason")
        plan = serializers.CharField(
            allow_null=True, help_text="The subscription's plan; null: no subscription."
        )
        subscription_status = serializers.CharField(
            allow_null=True, help_text="trialing, active, past_due, suspended or cancelled."
        )
        created_at = serializers.DateTimeField(source="tenant.created_at")
        last_activity_at = serializers.DateTimeField(
            source="tenant.last_activity_at", allow_null=True
        )
        staff_count = serializers.IntegerField()

    @list_schema(OutputSerializer, "ConsoleTenantPage", parameters=[FilterSerializer])
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        tenants = console_tenant_list(
            status=filters.validated_data.get("status", ""),
            search=filters.validated_data.get("search", "").strip(),
        )
        # Staff counts are read per page, one query for the page's businesses.
        return paginated(request, tenants, self.OutputSerializer, prepare=console_tenant_rows)
