"""The audit trail of a business, for its owners, managers and accountants."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.pagination import PageQuerySerializer, list_schema, paginated
from saas_platform.api.period import PeriodSerializer
from saas_platform.api.shaping import validated
from tenant_apps.audit.selectors import audit_actor_label, audit_entry_list
from tenant_apps.staff.access import Action

ACTION_NAMES = {value: str(label) for value, label in LogEntry.Action.choices}


class AuditEntryOutputSerializer(serializers.Serializer[LogEntry]):
    id = serializers.IntegerField()
    timestamp = serializers.DateTimeField()
    action = serializers.SerializerMethodField()
    model = serializers.SerializerMethodField()
    object_pk = serializers.CharField()
    object_repr = serializers.CharField()
    changes = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    remote_addr = serializers.IPAddressField(allow_null=True)

    @extend_schema_field(serializers.ChoiceField(choices=list(ACTION_NAMES.values())))
    def get_action(self, entry: LogEntry) -> str:
        return ACTION_NAMES.get(entry.action, str(entry.action))

    @extend_schema_field(OpenApiTypes.STR)
    def get_model(self, entry: LogEntry) -> str:
        return f"{entry.content_type.app_label}.{entry.content_type.model}"

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_changes(self, entry: LogEntry) -> dict[str, Any]:
        # {field: [old, new]}; older auditlog rows may hold it as text, which changes_dict reads.
        return dict(entry.changes_dict)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, entry: LogEntry) -> str | None:
        return audit_actor_label(entry)


class AuditEntryListApi(APIView):
    """Audit entries, newest first. ``actor`` is a user id, an e-mail or ``api-key:<prefix>``."""

    required_action = Action.AUDIT_VIEW

    class FilterSerializer(PageQuerySerializer, PeriodSerializer):
        model = serializers.RegexField(
            r"^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$", required=False, help_text="app_label.model"
        )
        object = serializers.CharField(max_length=255, required=False)
        actor = serializers.CharField(max_length=254, required=False)

    @list_schema(
        AuditEntryOutputSerializer,
        "AuditEntryPage",
        operation_id="audit_entries_list",
        parameters=[FilterSerializer],
    )
    def get(self, request: Request) -> Response:
        data = validated(self.FilterSerializer, request.query_params)
        entries = audit_entry_list(
            model=data.get("model", ""),
            object_pk=data.get("object", ""),
            actor=data.get("actor", ""),
            date_from=data["start"],
            date_to=data["end"],
        )
        return paginated(request, entries, AuditEntryOutputSerializer)
