"""Reads of the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from saas_platform.errors import ValidationFailed
from saas_platform.tenancy import start_of_day
from tenant_apps.audit.context import API_KEY_MARKER

API_KEY_ACTOR_PREFIX = "api-key:"


def audit_entry_list(
    *,
    model: str = "",
    object_pk: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[LogEntry]:
    """Entries of the current schema, newest first, narrowed by each filter given."""
    entries = LogEntry.objects.select_related("content_type").order_by("-timestamp", "-id")
    if model:
        app_label, _, model_name = model.lower().partition(".")
        content_type = ContentType.objects.filter(app_label=app_label, model=model_name).first()
        if content_type is None:
            raise ValidationFailed.for_field(
                "model", "unknown_model", f"No model called {model!r}; use app_label.model."
            )
        entries = entries.filter(content_type=content_type)
    if object_pk:
        entries = entries.filter(object_pk=object_pk)
    if actor:
        if actor.isdecimal():  # not isdigit: "²" is a digit that int() refuses
            entries = entries.filter(actor_id=int(actor))
        elif actor.startswith(API_KEY_ACTOR_PREFIX):
            prefix = actor.removeprefix(API_KEY_ACTOR_PREFIX)
            entries = entries.filter(**{f"additional_data__{API_KEY_MARKER}": prefix})
        else:
            entries = entries.filter(actor_email__iexact=actor)
    if date_from is not None:
        entries = entries.filter(timestamp__gte=start_of_day(date_from))
    if date_to is not None:
        entries = entries.filter(timestamp__lt=start_of_day(date_to + timedelta(days=1)))
    return entries


def audit_actor_label(entry: LogEntry) -> str | None:
    """The e-mail of the person behind an entry, ``api-key:<prefix>`` for a key, else None."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    if data.get(API_KEY_MARKER):
        return f"{API_KEY_ACTOR_PREFIX}{data[API_KEY_MARKER]}"
    return entry.actor_email or None
