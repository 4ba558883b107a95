"""The business's own notification settings: its quiet hours (for its customers, and for staff
with none of their own) and whether and how customers hear about overdue credit."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.shaping import shown, validated
from tenant_apps.notifications.api.preferences import (
    QuietHoursSerializer,
    extend_schema_field_quiet,
    quiet_window,
)
from tenant_apps.notifications.kinds import Channel
from tenant_apps.notifications.models import NotificationSettings
from tenant_apps.notifications.services import (
    notification_settings_get,
    notification_settings_set,
)
from tenant_apps.staff.access import Action


class SettingsOutputSerializer(serializers.Serializer[NotificationSettings]):
    quiet_hours = serializers.SerializerMethodField()
    credit_reminders = serializers.BooleanField()
    credit_reminder_channel = serializers.ChoiceField(choices=Channel.choices)

    @extend_schema_field_quiet
    def get_quiet_hours(self, found: NotificationSettings) -> dict[str, str] | None:
        return quiet_window(found.quiet_start, found.quiet_end)


class NotificationSettingsApi(APIView):
    required_actions = {"GET": Action.NOTIFICATIONS_LOG_VIEW, "PUT": Action.NOTIFICATIONS_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        quiet_hours = QuietHoursSerializer(
            required=False,
            allow_null=True,
            help_text="The business's quiet hours (its local time); null = none.",
        )
        credit_reminders = serializers.BooleanField(required=False)
        credit_reminder_channel = serializers.ChoiceField(choices=Channel.choices, required=False)

    @extend_schema(operation_id="notifications_settings_get", responses=SettingsOutputSerializer)
    def get(self, request: Request) -> Response:
        return shown(SettingsOutputSerializer, notification_settings_get())

    @extend_schema(
        operation_id="notifications_settings_update",
        request=InputSerializer,
        responses=SettingsOutputSerializer,
        description="Changes only what the body names; a bad value changes nothing (400).",
    )
    def put(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        current = notification_settings_get()
        window = data.get("quiet_hours", {"start": current.quiet_start, "end": current.quiet_end})
        found = notification_settings_set(
            quiet_hours=(window["start"], window["end"]) if window and window["start"] else None,
            credit_reminders=data.get("credit_reminders"),
            credit_reminder_channel=data.get("credit_reminder_channel"),
        )
        return shown(SettingsOutputSerializer, found)
