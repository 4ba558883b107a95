"""A person's own notification preferences: their phone, their quiet hours, and each kind their
role receives on each channel, on or off."""

from __future__ import annotations

from datetime import time
from typing import Any, cast

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.shaping import shown, validated
from shared_apps.users.models import User
from tenant_apps.notifications.kinds import Channel, Kind
from tenant_apps.notifications.selectors import Preferences, preferences_of
from tenant_apps.notifications.services import preferences_update
from tenant_apps.staff.access import Action

_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class QuietHoursSerializer(serializers.Serializer[Any]):
    start = serializers.RegexField(_CLOCK, help_text="HH:MM, the business's local time.")
    end = serializers.RegexField(_CLOCK, help_text="HH:MM; before start = the next morning.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {name: time.fromisoformat(attrs[name]) for name in ("start", "end")}


class ChoiceSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Kind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    enabled = serializers.BooleanField()


class ChoiceOutputSerializer(ChoiceSerializer):
    default = serializers.BooleanField(help_text="What this is when the person has not chosen.")


extend_schema_field_quiet = extend_schema_field(QuietHoursSerializer(allow_null=True))


class PreferencesOutputSerializer(serializers.Serializer[Preferences]):
    phone = serializers.CharField(help_text="E.164; where SMS and WhatsApp messages go.")
    quiet_hours = serializers.SerializerMethodField()
    business_quiet_hours = serializers.SerializerMethodField()
    preferences = ChoiceOutputSerializer(many=True, source="choices")

    @extend_schema_field_quiet
    def get_quiet_hours(self, found: Preferences) -> dict[str, str] | None:
        return quiet_window(found.quiet_start, found.quiet_end)

    @extend_schema_field_quiet
    def get_business_quiet_hours(self, found: Preferences) -> dict[str, str] | None:
        return quiet_window(found.business_quiet_start, found.business_quiet_end)


class PreferencesApi(APIView):
    required_action = Action.NOTIFICATIONS_PREFERENCES

    class InputSerializer(serializers.Serializer[Any]):
        phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
        quiet_hours = QuietHoursSerializer(
            required=False,
            allow_null=True,
            help_text="Your own quiet hours (business local time); null = the business's.",
        )
        preferences = serializers.ListField(child=ChoiceSerializer(), required=False, max_length=50)

    @extend_schema(
        operation_id="notifications_preferences_get", responses=PreferencesOutputSerializer
    )
    def get(self, request: Request) -> Response:
        return shown(PreferencesOutputSerializer, preferences_of(_person(request)))

    @extend_schema(
        operation_id="notifications_preferences_update",
        request=InputSerializer,
        responses=PreferencesOutputSerializer,
        description="Changes only what the body names; a bad value changes nothing (400).",
    )
    def put(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        changes: dict[str, Any] = {}
        if "phone" in data:
            changes["phone"] = data["phone"]
        if "quiet_hours" in data:
            window = data["quiet_hours"]
            changes["quiet_hours"] = (window["start"], window["end"]) if window else None
        if "preferences" in data:
            changes["choices"] = [
                (c["kind"], c["channel"], c["enabled"]) for c in data["preferences"]
            ]
        preferences_update(user=_person(request), **changes)
        return shown(PreferencesOutputSerializer, preferences_of(_person(request)))


def _person(request: Request) -> User:
    # HasAction let only a signed-in person through (API keys lack the action).
    return cast(User, request.user)


def quiet_window(start: Any, end: Any) -> dict[str, str] | None:
    if start is None or end is None:
        return None
    return {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
