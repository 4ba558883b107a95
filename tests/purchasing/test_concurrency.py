"""Two people at once: payments never overpay a bill, order numbers never repeat."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from saas_platform.errors import DukaError
from shared_apps.tenants.models import Tenant
from tenant_apps.inventory.models import Location
from tenant_apps.purchasing.models import PurchaseOrder, SupplierPayment
from tenant_apps.purchasing.services import (
    purchase_order_create,
    supplier_create,
    supplier_invoice_create,
    supplier_payment_record,
)

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(tenant: Tenant, work: Callable[[], Any], times: int = 2) -> list[Any]:
    """Runs ``work`` in ``times`` threads released together; returns results or errors."""
    barrier = threading.Barrier(times)
    results: list[Any] = []

    def run() -> None:
        try:
            with tenant_context(tenant):
                barrier.wait()
                results.append(work())
        except DukaError as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_payments_of_the_remaining_balance_at_once_pay_it_once(
    make_tenant: Callable[..., Tenant],
) -> None:
    tenant = make_tenant(business_name="Race Traders")
    with tenant_context(tenant):
        supplier = supplier_create(name="Eldoret Farmers")
        invoice = supplier_invoice_create(
            supplier_id=supplier.pk,
            number="E-1",
            invoice_date=date(2026, 5, 1),
            total=Decimal("1000"),
            actor=None,
        )
        supplier_payment_record(
            invoice_id=invoice.pk, amount=Decimal("300"), method="cash", actor=None
        )

    results = at_once(
        tenant,
        lambda: supplier_payment_record(
            invoice_id=invoice.pk, amount=Decimal("700"), method="bank_transfer", actor=None
        ),
    )

    paid = [r for r in results if isinstance(r, SupplierPayment)]
    refused = [r for r in results if isinstance(r, DukaError)]
    assert len(paid) == 1
    assert len(refused) == 1
    assert refused[0].fields["amount"][0]["code"] == "exceeds_outstanding"
    with tenant_context(tenant):
        invoice.refresh_from_db()
        assert invoice.amount_paid.amount == Decimal(1000)
        assert invoice.status == "paid"
        assert SupplierPayment.objects.count() == 2


def test_orders_made_at_once_get_distinct_references(make_tenant: Callable[..., Tenant]) -> None:
    tenant = make_tenant(business_name="Busy Traders")
    with tenant_context(tenant):
        supplier = supplier_create(name="Thika Bottlers")
        warehouse = Location.objects.get(kind="warehouse", is_default=True)

    results = at_once(
        tenant,
        lambda: (
            purchase_order_create(
                supplier_id=supplier.pk, destination_id=warehouse.pk, lines=[], actor=None
            ).reference
        ),
        times=4,
    )

    assert sorted(results) == ["PO-00001", "PO-00002", "PO-00003", "PO-00004"]
    with tenant_context(tenant):
        assert PurchaseOrder.objects.count() == 4
