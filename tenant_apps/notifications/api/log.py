"""The business's notification log, for owners and managers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.shaping import OutputModelSerializer, shown, validated
from tenant_apps.notifications.kinds import Channel, Kind
from tenant_apps.notifications.models import DeliveryStatus, Notification, Status
from tenant_apps.notifications.selectors import notification_get, notification_list
from tenant_apps.staff.access import Action


class NotificationOutputSerializer(OutputModelSerializer[Notification]):
    summary = serializers.CharField(help_text="The text, on one line, cut at 160 characters.")

    class Meta:
        model = Notification
        fields = [
            "id", "kind", "channel", "recipient", "user", "subject", "summary", "status",
            "send_after", "attempts", "provider", "provider_message_id", "error", "created_at",
            "finished_at", "delivery_status", "delivered_at", "delivery_error",
        ]  # fmt: skip
        extra_kwargs = {
            "delivery_status": {
                "help_text": "Whether it reached the phone, from the provider's delivery reports "
                "(SMS and WhatsApp; `untracked` for e-mail). `status` sent only means the "
                "provider took it."
            },
        }


class NotificationListApi(APIView):
    required_action = Action.NOTIFICATIONS_LOG_VIEW

    class FilterSerializer(serializers.Serializer[Any]):
        kind = serializers.ChoiceField(choices=Kind.choices, required=False)
        status = serializers.ChoiceField(choices=Status.choices, required=False)
        channel = serializers.ChoiceField(choices=Channel.choices, required=False)
        delivery_status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)

    @list_schema(
        NotificationOutputSerializer,
        "NotificationPage",
        operation_id="notifications_log_list",
        parameters=[FilterSerializer],
    )
    def get(self, request: Request) -> Response:
        data = validated(self.FilterSerializer, request.query_params)
        rows = notification_list(
            kind=data.get("kind", ""),
            status=data.get("status", ""),
            channel=data.get("channel", ""),
            delivery_status=data.get("delivery_status", ""),
        )
        return paginated(request, rows, NotificationOutputSerializer)


class NotificationDetailApi(APIView):
    required_action = Action.NOTIFICATIONS_LOG_VIEW

    @extend_schema(operation_id="notifications_log_get", responses=NotificationOutputSerializer)
    def get(self, request: Request, notification_id: int) -> Response:
        return shown(NotificationOutputSerializer, notification_get(notification_id))
