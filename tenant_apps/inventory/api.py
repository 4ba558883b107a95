from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.inventory.models import Location
from tenant_apps.inventory.selectors import location_list
from tenant_apps.staff.access import Action


class LocationOutputSerializer(serializers.ModelSerializer[Location]):
    class Meta:
        model = Location
        fields = ["id", "code", "name", "kind", "is_default", "is_active", "created_at"]


class LocationListApi(APIView):
    required_action = Action.INVENTORY_VIEW

    @extend_schema(
        responses=inline_serializer(
            "LocationList", {"results": LocationOutputSerializer(many=True)}
        )
    )
    def get(self, request: Request) -> Response:
        locations = location_list()
        return Response({"results": LocationOutputSerializer(locations, many=True).data})
