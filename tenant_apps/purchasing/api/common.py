"""Serializers and helpers shared by the purchasing views."""

from __future__ import annotations

from rest_framework import serializers

from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location
from tenant_apps.purchasing.models import Supplier


class SupplierRefSerializer(serializers.ModelSerializer[Supplier]):
    class Meta:
        model = Supplier
        fields = ["id", "name"]
        read_only_fields = fields


class OrderedProductSerializer(serializers.ModelSerializer[Product]):
    class Meta:
        model = Product
        fields = ["id", "sku", "name"]
        read_only_fields = fields


class LocationRefSerializer(serializers.ModelSerializer[Location]):
    class Meta:
        model = Location
        fields = ["id", "code", "name"]
        read_only_fields = fields
