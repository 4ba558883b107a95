"""Locations, stock levels, movements, thresholds, adjustments, valuation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from moneyed import Money
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import quantity
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.query import query_id
from saas_platform.api.shaping import OutputModelSerializer, created, shown, validated
from saas_platform.api.sync import SyncQuerySerializer, updated_since
from saas_platform.money import format_amount, round_money
from saas_platform.tenancy import business_currency
from tenant_apps.catalog.api.serializers import CostField, ProductRefSerializer
from tenant_apps.inventory.api.common import (
    location_or_400,
    product_or_400,
)
from tenant_apps.inventory.models import (
    Location,
    LocationKind,
    StockLevel,
    StockMovement,
)
from tenant_apps.inventory.selectors import (
    ValuationRow,
    location_list,
    movement_list,
    stock_level_list,
    stock_valuation,
)
from tenant_apps.inventory.services import (
    ADJUSTMENT_REASONS,
    location_create,
    location_update,
    stock_adjust,
    stock_opening_balance,
    stock_threshold_set,
)
from tenant_apps.staff.access import Action


class LocationOutputSerializer(OutputModelSerializer[Location]):
    class Meta:
        model = Location
        fields = ["id", "code", "name", "kind", "is_default", "is_active", "created_at"]


class LocationListCreateApi(APIView):
    required_actions = {"GET": Action.INVENTORY_VIEW, "POST": Action.INVENTORY_MANAGE}
    plan_limited_methods = ("POST",)

    class InputSerializer(serializers.Serializer[Any]):
        code = serializers.RegexField(r"^[A-Za-z0-9_-]{1,20}$")
        name = serializers.CharField(max_length=120)
        kind = serializers.ChoiceField(choices=LocationKind.choices)
        is_default = serializers.BooleanField(default=False)

    @list_schema(LocationOutputSerializer, "LocationList", operation_id="inventory_locations_list")
    def get(self, request: Request) -> Response:
        return paginated(request, location_list(), LocationOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: LocationOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        location = location_create(**data)
        return created(LocationOutputSerializer, location)


class LocationDetailApi(APIView):
    required_action = Action.INVENTORY_MANAGE

    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=120, required=False)
        is_active = serializers.BooleanField(required=False)

    @extend_schema(request=InputSerializer, responses=LocationOutputSerializer)
    def patch(self, request: Request, location_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        location = location_or_400(location_id)
        return Response(LocationOutputSerializer(location_update(location=location, **data)).data)


class StockLevelOutputSerializer(OutputModelSerializer[StockLevel]):
    product = ProductRefSerializer()
    location = serializers.CharField(source="location.code")
    available = serializers.SerializerMethodField()

    class Meta:
        model = StockLevel
        fields = [
            "product", "location", "quantity", "reserved", "available", "low_stock_threshold",
            "updated_at",
        ]  # fmt: skip

    def get_available(self, level: StockLevel) -> str:
        return str(level.quantity - level.reserved)


class StockLevelListApi(APIView):
    required_action = Action.INVENTORY_VIEW

    @list_schema(
        StockLevelOutputSerializer,
        "StockLevelList",
        operation_id="inventory_stock_list",
        parameters=[SyncQuerySerializer],
    )
    def get(self, request: Request) -> Response:
        since = updated_since(request)
        params = request.query_params
        levels = stock_level_list(
            location_id=query_id(request, "location"),
            product_id=query_id(request, "product"),
            low_only=params.get("low") in ("1", "true"),
            updated_since=since,
        )
        return paginated(request, levels, StockLevelOutputSerializer, since=since)


class MovementOutputSerializer(OutputModelSerializer[StockMovement]):
    product = ProductRefSerializer()
    location = serializers.CharField(source="location.code")
    unit_cost = CostField()  # only for roles that may see costs (catalog.view_costs)
    created_by = serializers.EmailField(source="created_by.email", default=None)

    class Meta:
        model = StockMovement
        fields = [
            "id", "product", "location", "batch", "quantity", "unit_cost", "reason",
            "reference", "note", "created_by", "created_at",
        ]  # fmt: skip


class MovementListApi(APIView):
    required_action = Action.INVENTORY_VIEW

    @list_schema(MovementOutputSerializer, "MovementList")
    def get(self, request: Request) -> Response:
        params = request.query_params
        movements = movement_list(
            product_id=query_id(request, "product"),
            location_id=query_id(request, "location"),
            reason=params.get("reason", ""),
        )
        return paginated(request, movements, MovementOutputSerializer)


class ThresholdApi(APIView):
    required_action = Action.INVENTORY_MANAGE

    class InputSerializer(serializers.Serializer[Any]):
        product = serializers.IntegerField()
        location = serializers.IntegerField()
        threshold = quantity(allow_null=True)

    @extend_schema(request=InputSerializer, responses=StockLevelOutputSerializer)
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        level = stock_threshold_set(
            product=product_or_400(data["product"]),
            location=location_or_400(data["location"]),
            threshold=data["threshold"],
        )
        return shown(StockLevelOutputSerializer, level)


class AdjustmentApi(APIView):
    """Write-offs (damage, theft, expiry) and corrections, with a reason code."""

    required_action = Action.INVENTORY_MANAGE

    class InputSerializer(serializers.Serializer[Any]):
        product = serializers.IntegerField()
        location = serializers.IntegerField()
        quantity = quantity(help_text="Negative to take stock out, positive for found stock.")
        reason = serializers.ChoiceField(choices=sorted(ADJUSTMENT_REASONS))
        note = serializers.CharField(max_length=500, required=False, default="")

    @extend_schema(request=InputSerializer, responses={201: None})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        stock_adjust(
            product=product_or_400(data["product"]),
            location=location_or_400(data["location"]),
            quantity=data["quantity"],
            reason=data["reason"],
            note=data["note"],
            actor=request.user,
        )
        return Response({"detail": "Recorded."}, status=status.HTTP_201_CREATED)


class OpeningBalanceApi(APIView):
    required_action = Action.INVENTORY_MANAGE

    class InputSerializer(serializers.Serializer[Any]):
        product = serializers.IntegerField()
        location = serializers.IntegerField()
        quantity = quantity()

    @extend_schema(request=InputSerializer, responses={201: None})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        stock_opening_balance(
            product=product_or_400(data["product"]),
            location=location_or_400(data["location"]),
            quantity=data["quantity"],
            actor=request.user,
        )
        return Response({"detail": "Recorded."}, status=status.HTTP_201_CREATED)


class ValuationRowSerializer(serializers.Serializer[ValuationRow]):
    product = serializers.IntegerField(source="product_id")
    name = serializers.CharField(source="product_name")
    location = serializers.IntegerField(source="location_id")
    quantity = serializers.CharField()
    # Not get_value: Serializer.get_value is the serializer's own (it reads input).
    value = serializers.SerializerMethodField(method_name="value_at_cost")

    def value_at_cost(self, row: ValuationRow) -> str:
        return _at_cost(row.value, self.context["currency"])


def _at_cost(amount: Decimal, currency: str) -> str:
    return format_amount(round_money(Money(amount, currency)))


class ValuationApi(APIView):
    """Stock on hand at cost, a page of product and location rows; ``total`` is the whole."""

    # Stock at cost is nothing but costs: for the roles (and keys) that may see them.
    required_action = Action.CATALOG_VIEW_COSTS

    @list_schema(
        ValuationRowSerializer,
        "Valuation",
        extra={"currency": serializers.CharField(), "total": serializers.CharField()},
    )
    def get(self, request: Request) -> Response:
        rows = stock_valuation(location_id=query_id(request, "location"))
        currency = business_currency()
        total = sum((row.value for row in rows), start=Decimal(0))
        return paginated(
            request,
            rows,
            ValuationRowSerializer,
            context={"currency": currency},
            extra={"currency": currency, "total": _at_cost(total, currency)},
        )
