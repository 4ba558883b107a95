"""The daily snapshot of what a business has (stores, tills, seats, products): the period's
maximum is what seat and store metrics bill, read from the business's own tables."""

from __future__ import annotations

from billing.models import Limit, UsageSnapshot
from billing.usage_counts import IN_USE
from saas_platform.tenancy import business_today, current_business


def usage_snapshot_take() -> UsageSnapshot:
    """Today's snapshot of the current business (run inside its schema); taken again the same
    day, it is brought up to date rather than duplicated."""
    tenant = current_business()
    counts = {
        "stores": IN_USE[Limit.STORES](),
        "registers": IN_USE[Limit.REGISTERS](),
        "staff_seats": IN_USE[Limit.STAFF_SEATS](),
        "products": IN_USE[Limit.PRODUCTS](),
    }
    snapshot, _ = UsageSnapshot.objects.update_or_create(
        tenant_id=tenant.pk, day=business_today(), defaults=counts
    )
    return snapshot
