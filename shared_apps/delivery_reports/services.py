"""Writes of the message index: a business records each message a provider took."""

from __future__ import annotations

from shared_apps.delivery_reports.models import MessageRoute
from shared_apps.tenants.models import Tenant


def message_route_record(*, provider: str, message_id: str, tenant: Tenant) -> None:
    """Notes that ``tenant`` sent ``message_id`` through ``provider``. Idempotent; an id already
    recorded (by this business, or — were a provider ever to reuse one — by another) is left as
    it is, so nothing a later send does can move an id to another business."""
    if not message_id:
        return
    MessageRoute.objects.bulk_create(
        [MessageRoute(provider=provider, message_id=message_id, tenant=tenant)],
        ignore_conflicts=True,
    )
