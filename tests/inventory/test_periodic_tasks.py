"""Periodic inventory work fans out to every business and runs inside each one's schema."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from moneyed import Money

from shared_apps.tenants.fan_out import fan_out
from shared_apps.tenants.models import Tenant, TenantStatus
from tenant_apps.catalog.models import Product, Unit
from tenant_apps.inventory.models import Location, MovementReason, Reservation
from tenant_apps.inventory.services import reservation_create
from tenant_apps.inventory.stock import stock_receive
from tests.support.waiting import wait_until


def reservation_due_now(tenant: Tenant) -> int:
    with schema_context(tenant.schema_name):
        product = Product.objects.create(
            name="Layaway TV",
            sku="TV-1",
            unit=Unit.objects.get(code="pc"),
            price=Money(Decimal("100"), tenant.currency),
            cost_price=Money(Decimal("80"), tenant.currency),
        )
        store = Location.objects.get(code="STORE")
        stock_receive(
            product=product,
            location=store,
            quantity=Decimal(2),
            unit_cost=product.cost_price,
            reason=MovementReason.RECEIPT,
        )
        reservation = reservation_create(
            product=product,
            location=store,
            quantity=Decimal(1),
            expires_at=timezone.now() + timedelta(seconds=1),
        )
        return reservation.pk


def status_of(tenant: Tenant, reservation_id: int) -> str:
    with schema_context(tenant.schema_name):
        return Reservation.objects.get(pk=reservation_id).status


@pytest.mark.django_db(transaction=True)
def test_expired_reservations_are_released_in_every_business_but_a_suspended_one(
    make_tenant: Callable[..., Tenant], worker_queue: str
) -> None:
    # given three businesses, each with a reservation about to expire, one of them suspended
    alpha, beta, gamma = make_tenant(), make_tenant(), make_tenant()
    holds = {t: reservation_due_now(t) for t in (alpha, beta, gamma)}
    Tenant.objects.filter(pk=gamma.pk).update(status=TenantStatus.SUSPENDED)
    # and their second is up: each deadline moved into the past instead of waited for
    for tenant, pk in holds.items():
        with schema_context(tenant.schema_name):
            Reservation.objects.filter(pk=pk).update(
                expires_at=timezone.now() - timedelta(milliseconds=1)
            )

    # when beat's fan-out runs on the worker
    queued = fan_out.apply_async(
        args=["inventory.expire_reservations", worker_queue], queue=worker_queue
    ).get(timeout=60)

    # then each active business's own reservation expires, in its own schema; the suspended
    # business is not visited
    assert queued == 2
    assert wait_until(lambda: all(status_of(t, holds[t]) == "expired" for t in (alpha, beta)))
    assert {t.slug: status_of(t, pk) for t, pk in holds.items()} == {
        alpha.slug: "expired",
        beta.slug: "expired",
        gamma.slug: "active",
    }
