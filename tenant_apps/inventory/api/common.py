"""Lookups and fields shared by the inventory views."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from saas_platform.api.fields import quantity
from saas_platform.api.shaping import OutputModelSerializer
from saas_platform.errors import ValidationFailed
from tenant_apps.catalog.models import Product
from tenant_apps.catalog.selectors import product_find
from tenant_apps.inventory.models import Location
from tenant_apps.inventory.selectors import location_find


def product_or_400(product_id: int, field: str = "product") -> Product:
    product = product_find(product_id)
    if product is None:
        raise ValidationFailed.for_field(field, "unknown_product", f"No product {product_id}.")
    return product


def location_or_400(location_id: int, field: str = "location") -> Location:
    location = location_find(location_id)
    if location is None:
        raise ValidationFailed.for_field(field, "unknown_location", f"No location {location_id}.")
    return location


class LocationRefSerializer(OutputModelSerializer[Location]):
    """A location where another record names it (a purchase order's destination)."""

    class Meta:
        model = Location
        fields = ["id", "code", "name"]


class LinesInputSerializer(serializers.Serializer[Any]):
    product = serializers.IntegerField()
    quantity = quantity(min_value=0)


def actor_of(request: Any) -> Any:
    return request.user
