"""Serializers and helpers shared by the purchasing views."""

from __future__ import annotations

from rest_framework import serializers

from tenant_apps.purchasing.models import Supplier


class SupplierRefSerializer(serializers.ModelSerializer[Supplier]):
    class Meta:
        model = Supplier
        fields = ["id", "name"]
        read_only_fields = fields
