"""``?updated_since=``: what the lists an integrator syncs take to send only what changed.

Products, customers, sales, stock levels, payments and suppliers take it (docs/api.md,
"Syncing"). It is an ISO 8601 date and time with its offset from UTC
(``2026-05-01T08:00:00+03:00`` or ``…Z``); a time without an offset is refused
(``naive_datetime``) rather than guessed, since the business's zone, the server's and the
client's may all differ. The list then holds the rows changed at or after that instant, oldest
change first (id breaks ties), and its ``next`` link continues after the last change on the
page (saas_platform/api/pagination.py).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request

from saas_platform.api.pagination import PageQuerySerializer


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time that says its offset from UTC."""

    default_error_messages = {
        "naive_datetime": "Give the offset from UTC too, e.g. 2026-05-01T08:00:00+03:00 or "
        "2026-05-01T05:00:00Z.",
    }

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            self.fail("naive_datetime")
        return super().enforce_timezone(value)


UPDATED_SINCE_HELP = (
    "Only rows changed at or after this instant (ISO 8601 with its offset from UTC), oldest "
    "change first; each row's `updated_at` says when it last changed. To sync: follow `next` "
    "until it is null, keep the greatest `updated_at` received, and next time ask from a "
    "minute before it (a change still being committed carries an earlier time); rows seen "
    "before may come again."
)


class SyncQuerySerializer(PageQuerySerializer):
    """The query of a list an integrator syncs: the page and ``updated_since``, checked
    together so that every problem is reported at once. A list's filters extend it."""

    updated_since = AwareDateTimeField(required=False, help_text=UPDATED_SINCE_HELP)


def updated_since(request: Request) -> datetime | None:
    """The request's ``updated_since``, or None; raises a 400 for a bad one (or a bad page)."""
    params = SyncQuerySerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    found: datetime | None = params.validated_data.get("updated_since")
    return found
