"""Recording usage without ever failing or holding up the work that caused it.

``usage_record`` runs after the caller's transaction commits (a use that was rolled back is not
billed) as one ``INSERT … ON CONFLICT DO NOTHING`` (a repeated key records nothing more) committed
without waiting for the disk, and a
failure of that insert is logged, never raised: losing one event costs less than failing the
request that made it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from billing.models import UsageEvent

logger = logging.getLogger(__name__)

# The metrics the product sends events for (the seeded catalog's codes).
API_CALLS = "api_calls"
FORECAST_RUNS = "forecast_runs"
MESSAGES_SENT = "sms_sent"


def _insert(event: UsageEvent) -> None:
    try:
        # A transaction (or a savepoint, inside an outer atomic block: a test's, a caller that
        # commits by hand) of its own, so a failure here cannot break the caller's.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost:
                # The request does not wait for the event's WAL to reach disk: a database
                # crash in the next fraction of a second could lose it, a risk worth not
                # adding a disk flush to every metered request (bench/billing.py).
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            UsageEvent.objects.bulk_create([event], ignore_conflicts=True)
    except Exception:
        logger.exception(
            "usage event %s of tenant %s (key %s) not recorded",
            event.metric_code,
            event.tenant_id,
            event.idempotency_key,
        )


def usage_record(
    *,
    tenant_id: int,
    metric_code: str,
    idempotency_key: str,
    quantity: Decimal | int = 1,
    occurred_at: datetime | None = None,
    properties: dict[str, Any] | None = None,
) -> None:
    """Records one use of ``metric_code`` by the business ``tenant_id`` once its transaction
    commits (at once outside one). Never raises."""
    try:
        event = UsageEvent(
            tenant_id=tenant_id,
            metric_code=metric_code,
            quantity=Decimal(quantity),
            occurred_at=occurred_at or timezone.now(),
            idempotency_key=idempotency_key,
            properties=properties or {},
        )
        transaction.on_commit(lambda: _insert(event), robust=True)
    except Exception:
        # The caller's work goes on whatever happened here (a quantity that is no number…).
        logger.exception("usage event %s of tenant %s not recorded", metric_code, tenant_id)
