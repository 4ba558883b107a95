"""What every billing console view shares: the console's authentication and gate, and money
kept in minor units shown as money."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.views import APIView

from billing.minor_units import from_minor
from saas_platform.api.fields import MoneyField
from shared_apps.console.access import IsPlatformOwner


class ConsoleApi(APIView):
    # Session only: a business's JWTs and API keys are never consulted on the console.
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsPlatformOwner]


class MinorMoneyField(MoneyField):
    """An integer column of minor units (``total_minor``) shown as money in the row's
    ``currency``: ``{"amount": "19.00", "currency": "USD"}``."""

    def __init__(self, attribute: str, **kwargs: Any) -> None:
        self.attribute = attribute
        super().__init__(source="*", **kwargs)

    def to_representation(self, value: Any) -> dict[str, str] | None:
        return super().to_representation(from_minor(getattr(value, self.attribute), value.currency))


class TenantRefSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
