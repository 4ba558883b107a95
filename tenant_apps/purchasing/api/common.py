"""Serializers and helpers shared by the purchasing views."""

from __future__ import annotations

from saas_platform.api.shaping import OutputModelSerializer
from tenant_apps.purchasing.models import Supplier


class SupplierRefSerializer(OutputModelSerializer[Supplier]):
    class Meta:
        model = Supplier
        fields = ["id", "name"]
