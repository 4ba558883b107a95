"""The catalog for platform owners: ``/api/v1/console/billing/`` on the root domain.

Session authentication only, as the rest of the console API: a business's JWTs and API keys
are never consulted here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import selectors
from billing.models import Aggregation, BillableMetric, Charge, ChargeModel, Interval, Plan
from billing.requests import ChargeInput, ChargePriceInput
from billing.services import catalog
from saas_platform.api import fields as api_fields
from saas_platform.api.fields import MoneyField
from saas_platform.api.pagination import list_schema, paginated
from shared_apps.console.access import IsPlatformOwner

MAX_CURRENCIES = 50


class _ConsoleApi(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsPlatformOwner]


# --- output ----------------------------------------------------------------------------------


class ChargePriceOutput(serializers.Serializer[Any]):
    currency = serializers.CharField()
    unit_amount = serializers.DecimalField(max_digits=18, decimal_places=6, allow_null=True)
    tiers = serializers.JSONField()


class ChargeOutput(serializers.Serializer[Charge]):
    id = serializers.IntegerField()
    metric = serializers.CharField(source="metric.code")
    model = serializers.CharField()
    free_units = api_fields.quantity()
    package_size = serializers.IntegerField(allow_null=True)
    prices = ChargePriceOutput(many=True, source="prices.all")


class PlanOutput(serializers.Serializer[Plan]):
    code = serializers.CharField()
    name = serializers.CharField()
    interval = serializers.CharField()
    trial_days = serializers.IntegerField()
    is_active = serializers.BooleanField()
    is_default = serializers.BooleanField()
    max_stores = serializers.IntegerField(allow_null=True, help_text="Null: unlimited.")
    max_registers = serializers.IntegerField(allow_null=True)
    max_staff_seats = serializers.IntegerField(allow_null=True)
    max_products = serializers.IntegerField(allow_null=True)
    forecasting = serializers.BooleanField()
    api_access = serializers.BooleanField()
    multi_store = serializers.BooleanField()
    notifications = serializers.BooleanField()
    prices = serializers.ListField(child=MoneyField(), source="base_fees")
    charges = ChargeOutput(many=True, source="charges.all")


class MetricOutput(serializers.Serializer[BillableMetric]):
    code = serializers.CharField()
    name = serializers.CharField()
    aggregation = serializers.CharField()
    reads = serializers.CharField(source="field_name", help_text="The field it aggregates.")
    description = serializers.CharField()


def _plan_body(code: str) -> dict[str, Any]:
    return dict(PlanOutput(selectors.plan_get(code)).data)


# --- input -----------------------------------------------------------------------------------


class _Limit(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            min_value=0, max_value=1_000_000, required=False, allow_null=True, **kwargs
        )


class PlanInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    interval = serializers.ChoiceField(choices=Interval.choices, required=False)
    trial_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    is_active = serializers.BooleanField(required=False)
    is_default = serializers.BooleanField(required=False)
    max_stores = _Limit(help_text="Null: unlimited.")
    max_registers = _Limit()
    max_staff_seats = _Limit()
    max_products = _Limit()
    forecasting = serializers.BooleanField(required=False)
    api_access = serializers.BooleanField(required=False)
    multi_store = serializers.BooleanField(required=False)
    notifications = serializers.BooleanField(required=False)
    prices = serializers.DictField(
        child=api_fields.amount(min_value=Decimal(0)),
        required=False,
        help_text='Base fee per currency: {"USD": "19.00", "KES": "2500"}.',
    )

    def validate_prices(self, value: dict[str, Decimal]) -> dict[str, Decimal]:
        if len(value) > MAX_CURRENCIES:
            raise serializers.ValidationError(f"At most {MAX_CURRENCIES} currencies.")
        return value


class PlanCreateInput(PlanInput):
    code = serializers.SlugField(max_length=40)


class PlanUpdateInput(PlanInput):
    name = serializers.CharField(max_length=100, required=False)


class ChargePriceInputSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField(max_length=3, min_length=3)
    unit_amount = serializers.DecimalField(
        max_digits=18, decimal_places=6, min_value=Decimal(0), required=False, allow_null=True
    )
    tiers = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        max_length=20,
        help_text=(
            'Graduated and volume: [{"up_to": 1000, "unit_amount": "0.5", "flat_amount": "0"}, '
            '…, {"up_to": null, …}], ascending, the last one open.'
        ),
    )


class ChargeInputSerializer(serializers.Serializer[Any]):
    metric = serializers.SlugField(max_length=40)
    model = serializers.ChoiceField(choices=ChargeModel.choices)
    free_units = api_fields.quantity(min_value=Decimal(0), required=False)
    package_size = serializers.IntegerField(
        min_value=1, max_value=10**9, required=False, allow_null=True
    )
    prices = serializers.ListField(
        child=ChargePriceInputSerializer(), min_length=1, max_length=MAX_CURRENCIES
    )

    def to_input(self) -> ChargeInput:
        data = self.validated_data
        return ChargeInput(
            metric_code=data["metric"],
            model=data["model"],
            free_units=data.get("free_units", Decimal(0)),
            package_size=data.get("package_size"),
            prices=tuple(
                ChargePriceInput(
                    currency=price["currency"],
                    unit_amount=price.get("unit_amount"),
                    tiers=price.get("tiers", []),
                )
                for price in data["prices"]
            ),
        )


class MetricInput(serializers.Serializer[Any]):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=100)
    aggregation = serializers.ChoiceField(choices=Aggregation.choices)
    reads = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        help_text="The field it aggregates: `quantity`, or `properties.<key>`; empty to count.",
    )


# --- views -----------------------------------------------------------------------------------


class PlanListApi(_ConsoleApi):
    """Every plan with its base fees, entitlements and charges; platform owners add plans."""

    @list_schema(PlanOutput, "BillingPlanPage", operation_id="console_billing_plan_list")
    def get(self, request: Request) -> Response:
        return paginated(request, selectors.plan_list(), PlanOutput)

    @extend_schema(request=PlanCreateInput, responses={201: PlanOutput})
    def post(self, request: Request) -> Response:
        given = PlanCreateInput(data=request.data)
        given.is_valid(raise_exception=True)
        fields = dict(given.validated_data)
        plan = catalog.plan_create(
            code=fields.pop("code"), prices=fields.pop("prices", {}), **fields
        )
        return Response(_plan_body(plan.code), status=status.HTTP_201_CREATED)


class PlanDetailApi(_ConsoleApi):
    """One plan; a PATCH edits it (base fees given are set, others stay)."""

    @extend_schema(responses=PlanOutput)
    def get(self, request: Request, code: str) -> Response:
        return Response(_plan_body(code))

    @extend_schema(request=PlanUpdateInput, responses=PlanOutput)
    def patch(self, request: Request, code: str) -> Response:
        given = PlanUpdateInput(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        changes = dict(given.validated_data)
        catalog.plan_update(code=code, prices=changes.pop("prices", None), **changes)
        return Response(_plan_body(code))


class ChargeListApi(_ConsoleApi):
    """Adds a usage charge to a plan."""

    @extend_schema(request=ChargeInputSerializer, responses={201: PlanOutput})
    def post(self, request: Request, code: str) -> Response:
        given = ChargeInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        catalog.charge_create(plan_code=code, data=given.to_input())
        return Response(_plan_body(code), status=status.HTTP_201_CREATED)


class ChargeDetailApi(_ConsoleApi):
    """Replaces (PUT) or removes (DELETE) one of a plan's charges."""

    @extend_schema(request=ChargeInputSerializer, responses=PlanOutput)
    def put(self, request: Request, code: str, charge_id: int) -> Response:
        given = ChargeInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        catalog.charge_replace(plan_code=code, charge_id=charge_id, data=given.to_input())
        return Response(_plan_body(code))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, code: str, charge_id: int) -> Response:
        catalog.charge_delete(plan_code=code, charge_id=charge_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MetricListApi(_ConsoleApi):
    """Billable metrics: what charges can price."""

    @list_schema(MetricOutput, "BillingMetricPage", operation_id="console_billing_metric_list")
    def get(self, request: Request) -> Response:
        return paginated(request, selectors.metric_list(), MetricOutput)

    @extend_schema(request=MetricInput, responses={201: MetricOutput})
    def post(self, request: Request) -> Response:
        given = MetricInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        metric = catalog.metric_create(
            code=data["code"],
            name=data["name"],
            aggregation=data["aggregation"],
            field_name=data.get("reads", ""),
        )
        return Response(MetricOutput(metric).data, status=status.HTTP_201_CREATED)
