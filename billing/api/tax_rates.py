"""Tax rates by country for platform owners: ``/api/v1/console/billing/tax-rates/``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from billing import selectors
from billing.api.console_shared import ConsoleApi
from billing.models import TaxRate
from billing.services.tax_rates import NAME_MAX_LENGTH, tax_rate_create, tax_rate_update
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.shaping import OutputModelSerializer, created, shown, validated


class TaxRateOutput(OutputModelSerializer[TaxRate]):
    class Meta:
        model = TaxRate
        fields = ["country", "name", "rate", "is_active", "updated_at"]


def _rate_field(**kwargs: Any) -> serializers.DecimalField:
    # The column's shape (0.1600 for 16 %); the service says why a rate of 1 or more is refused.
    return serializers.DecimalField(
        max_digits=6,
        decimal_places=4,
        help_text="A decimal fraction from 0 to below 1: 0.16 for 16 %.",
        **kwargs,
    )


class TaxRateCreateInput(serializers.Serializer[Any]):
    country = serializers.CharField(max_length=2, min_length=2, help_text="ISO 3166-1 alpha-2.")
    name = serializers.CharField(max_length=NAME_MAX_LENGTH, help_text="VAT, GST…")
    rate = _rate_field()
    is_active = serializers.BooleanField(required=False, default=True)


class TaxRateUpdateInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False)
    rate = _rate_field(required=False)
    is_active = serializers.BooleanField(required=False)


class TaxRateListApi(ConsoleApi):
    """The tax rate of each country billing knows; a country without one is not taxed."""

    @list_schema(TaxRateOutput, "BillingTaxRatePage", operation_id="console_billing_tax_rate_list")
    def get(self, request: Request) -> Response:
        return paginated(request, selectors.tax_rate_list(), TaxRateOutput)

    @extend_schema(request=TaxRateCreateInput, responses={201: TaxRateOutput})
    def post(self, request: Request) -> Response:
        data = validated(TaxRateCreateInput, request.data)
        return created(TaxRateOutput, tax_rate_create(**data))


class TaxRateDetailApi(ConsoleApi):
    """One country's rate; a PATCH sets what it names. Invoices already issued keep theirs."""

    @extend_schema(responses=TaxRateOutput)
    def get(self, request: Request, country: str) -> Response:
        return shown(TaxRateOutput, selectors.tax_rate_get(country))

    @extend_schema(request=TaxRateUpdateInput, responses=TaxRateOutput)
    def patch(self, request: Request, country: str) -> Response:
        data = validated(TaxRateUpdateInput, request.data, partial=True)
        return shown(TaxRateOutput, tax_rate_update(country=country, **data))
