"""Suppliers: list, add, read, change, deactivate."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api import fields as api_fields
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.query import query_flag
from saas_platform.api.shaping import OutputModelSerializer, created, or_404, shown, validated
from saas_platform.api.sync import SyncQuerySerializer, updated_since
from tenant_apps.purchasing.models import Supplier
from tenant_apps.purchasing.selectors import supplier_get, supplier_list
from tenant_apps.purchasing.services import supplier_create, supplier_deactivate, supplier_update
from tenant_apps.staff.access import Action


class SupplierOutputSerializer(OutputModelSerializer[Supplier]):
    class Meta:
        model = Supplier
        fields = [
            "id", "name", "contact_name", "phone", "email", "address", "tax_id",
            "payment_terms_days", "lead_time_days", "is_active", "created_at", "updated_at",
        ]  # fmt: skip


class _SupplierFields(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    email = api_fields.email(required=False, allow_blank=True)
    address = api_fields.text(required=False, allow_blank=True)
    tax_id = serializers.CharField(max_length=40, required=False, allow_blank=True)
    payment_terms_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    lead_time_days = serializers.IntegerField(min_value=0, max_value=365, required=False)


class SupplierListCreateApi(APIView):
    required_actions = {"GET": Action.PURCHASING_VIEW, "POST": Action.PURCHASING_MANAGE}

    class InputSerializer(_SupplierFields):
        pass

    @list_schema(
        SupplierOutputSerializer,
        "SupplierList",
        operation_id="purchasing_suppliers_list",
        parameters=[
            OpenApiParameter("active", bool, description="Only active (or inactive) suppliers."),
            OpenApiParameter("search", str, description="Part of the name or contact, or phone."),
            SyncQuerySerializer,
        ],
    )
    def get(self, request: Request) -> Response:
        since = updated_since(request)
        suppliers = supplier_list(
            active=query_flag(request, "active"),
            search=request.query_params.get("search", ""),
            updated_since=since,
        )
        return paginated(request, suppliers, SupplierOutputSerializer, since=since)

    @extend_schema(request=InputSerializer, responses={201: SupplierOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        supplier = supplier_create(**data)
        return created(SupplierOutputSerializer, supplier)


class SupplierDetailApi(APIView):
    required_actions = {"GET": Action.PURCHASING_VIEW, "PATCH": Action.PURCHASING_MANAGE}

    class InputSerializer(_SupplierFields):
        name = serializers.CharField(max_length=200, required=False)
        is_active = serializers.BooleanField(required=False)

    @extend_schema(responses=SupplierOutputSerializer)
    def get(self, request: Request, supplier_id: int) -> Response:
        supplier = or_404(supplier_get(supplier_id), "No such supplier.")
        return shown(SupplierOutputSerializer, supplier)

    @extend_schema(request=InputSerializer, responses=SupplierOutputSerializer)
    def patch(self, request: Request, supplier_id: int) -> Response:
        data = validated(self.InputSerializer, request.data, partial=True)
        supplier = supplier_update(supplier_id=supplier_id, data=dict(data))
        return shown(SupplierOutputSerializer, supplier)


class SupplierDeactivateApi(APIView):
    required_action = Action.PURCHASING_MANAGE

    @extend_schema(request=None, responses=SupplierOutputSerializer)
    def post(self, request: Request, supplier_id: int) -> Response:
        return Response(SupplierOutputSerializer(supplier_deactivate(supplier_id=supplier_id)).data)
