"""The terminal's catalog snapshot: what it needs to sell with no network, and deltas of it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.permissions import request_allows
from saas_platform.errors import ValidationFailed
from tenant_apps.staff.access import Action
from tenant_apps.terminal.selectors import terminal_snapshot

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _since(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts.
        moment = moment.astimezone(UTC) if moment and moment.tzinfo else None
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise ValidationFailed.for_field(
            "updated_since",
            "invalid",
            "Give a date and time with its offset, as the last snapshot's `at`.",
        )
    # Nothing changed before the epoch; a far-past date asks for everything that exists.
    return max(moment, EPOCH)


class SnapshotApi(APIView):
    """Products (price, tax rate, category, barcodes), categories, tax rates and customers, as
    arrays: ``products: [[id, name, sku, price, tax_rate_id, category_id, flags, codes]]`` with
    flags 1 active, 2 sold by weight, 4 fractional unit, 8 service, and codes separated by
    spaces (``code*24`` for a pack); ``customers: [[id, code, name, phone, price_list,
    active]]``. With ``updated_since`` (the last answer's ``at``) only what changed since,
    deactivated rows included."""

    required_action = Action.SALES_SELL

    @extend_schema(
        operation_id="terminal_snapshot",
        parameters=[
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description="The `at` of the last snapshot: only rows changed since.",
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        snapshot = terminal_snapshot(
            since=_since(request.query_params.get("updated_since")),
            with_customers=request_allows(request, Action.CUSTOMERS_VIEW),
        )
        response: Any = Response(snapshot.data)
        response["Cache-Control"] = "private, no-store"
        return response
