"""Shared pieces of the ledger API: who may read reports, CSV output, the as-of date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from moneyed import Money
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from saas_platform.api.fields import MoneyField
from saas_platform.api.renderers import CSVRenderer, requested_format
from saas_platform.api.shaping import validated
from saas_platform.money import format_amount
from saas_platform.tenancy import business_currency, business_today
from tenant_apps.ledger.models import Account
from tenant_apps.staff.access import Action

# Financial reports are for the books' readers and for report readers (analysts).
REPORT_READERS = (Action.LEDGER_VIEW, Action.REPORTS_VIEW)

REPORT_RENDERERS = [JSONRenderer, CSVRenderer]


def wants_csv(request: Request) -> bool:
    return requested_format(request) == "csv"


def to_money(amount: Decimal) -> Money:
    return Money(amount, business_currency())


def plain(amount: Decimal) -> str:
    """A CSV cell: the amount with the currency's minor digits."""
    return format_amount(to_money(amount))


class AccountRefSerializer(serializers.Serializer[Account]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    role = serializers.CharField(allow_null=True)


class AmountLineSerializer(serializers.Serializer[Any]):
    account = AccountRefSerializer()
    amount = MoneyField()


class AsOfSerializer(serializers.Serializer[Any]):
    as_of = serializers.DateField(required=False)


def as_of(request: Request) -> date:
    data = validated(AsOfSerializer, request.query_params)
    return data.get("as_of") or business_today()
