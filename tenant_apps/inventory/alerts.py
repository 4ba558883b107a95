"""Low-stock and expiring-batch alerts: raised once, resolved when the problem goes away."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from saas_platform.tenancy import business_today
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import (
    AlertKind,
    AlertStatus,
    Batch,
    Location,
    StockAlert,
    StockLevel,
)

EXPIRY_WARNING_DAYS = 14


def stock_alerts_refresh(*, product: Product, location: Location) -> None:
    """Raises or resolves the low-stock and below-zero alerts of one product at one place."""
    level = StockLevel.objects.filter(product=product, location=location).first()
    if level is None:
        return
    _negative_stock_refresh(level, product, location)
    if level.low_stock_threshold is None:
        return
    low = level.quantity <= level.low_stock_threshold
    _alert_set(
        AlertKind.LOW_STOCK,
        product,
        location,
        message=(
            f"{product.name} at {location.name}: {level.quantity.normalize()} left "
            f"(threshold {level.low_stock_threshold.normalize()})."
        )
        if low
        else None,
    )


def _negative_stock_refresh(level: StockLevel, product: Product, location: Location) -> None:
    _alert_set(
        AlertKind.NEGATIVE_STOCK,
        product,
        location,
        message=(
            f"{product.name} at {location.name} was sold below zero "
            f"({level.quantity.normalize()}); receive or count it."
        )
        if level.quantity < 0
        else None,
    )


def _alert_set(kind: str, product: Product, location: Location, *, message: str | None) -> None:
    """Raises the alert of ``kind`` with ``message``, or with None resolves the active one."""
    if message is not None:
        # ON CONFLICT DO NOTHING against the one-active-alert constraint.
        StockAlert.objects.bulk_create(
            [StockAlert(kind=kind, product=product, location=location, message=message)],
            ignore_conflicts=True,
        )
    else:
        StockAlert.objects.filter(
            kind=kind, product=product, location=location, status=AlertStatus.ACTIVE
        ).update(status=AlertStatus.RESOLVED, resolved_at=timezone.now())


def expiring_batch_alerts_refresh(*, within_days: int = EXPIRY_WARNING_DAYS) -> int:
    """Raises alerts for open batches expiring soon; resolves those sold out. Returns raised."""
    # The business's today: a batch expiring "tomorrow" in Nairobi is not the server's tomorrow.
    horizon = business_today() + timedelta(days=within_days)
    StockAlert.objects.filter(kind=AlertKind.EXPIRING, status=AlertStatus.ACTIVE).filter(
        Q(batch__quantity_remaining=0)
    ).update(status=AlertStatus.RESOLVED, resolved_at=timezone.now())
    expiring = list(
        Batch.objects.filter(
            quantity_remaining__gt=0, expires_on__isnull=False, expires_on__lte=horizon
        )
        .exclude(alerts__kind=AlertKind.EXPIRING, alerts__status=AlertStatus.ACTIVE)
        .select_related("product", "location")
    )
    StockAlert.objects.bulk_create(
        [
            StockAlert(
                kind=AlertKind.EXPIRING,
                product=batch.product,
                location=batch.location,
                batch=batch,
                message=(
                    f"{batch.quantity_remaining.normalize()} of {batch.product.name} at "
                    f"{batch.location.name} expire on {batch.expires_on:%Y-%m-%d}."
                ),
            )
            for batch in expiring
        ],
        # A concurrent run may have raised some meanwhile; the constraint keeps one each.
        ignore_conflicts=True,
    )
    return len(expiring)
