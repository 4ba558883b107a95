"""The demo business's purchasing data: every order state, made once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from tenant_apps.inventory.models import StockLevel
from tenant_apps.purchasing.demo import seed_demo_purchasing
from tenant_apps.purchasing.models import (
    GoodsReceipt,
    PurchaseOrder,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)
from tests.purchasing.conftest import Shop

pytestmark = pytest.mark.django_db


def test_demo_purchasing_covers_every_order_state_once(shop: Shop) -> None:
    with tenant_context(shop.tenant):
        Supplier.objects.all().delete()  # the demo starts from a business without suppliers

        seed_demo_purchasing()
        seed_demo_purchasing()  # a second run changes nothing

        statuses = sorted(PurchaseOrder.objects.values_list("status", flat=True))
        assert Supplier.objects.count() == 6
        assert statuses == ["cancelled", "draft", "ordered", "partially_received", "received"]
        assert GoodsReceipt.objects.count() == 2
        assert SupplierInvoice.objects.count() == 2
        assert list(SupplierInvoice.objects.values_list("status", flat=True).order_by("pk")) == [
            "partially_paid",
            "open",
        ]
        assert SupplierPayment.objects.count() == 1
        # sugar and rice (the two plain stock items): 30 each fully received + 20 and 10 of
        # the half-received order
        levels = dict(StockLevel.objects.values_list("product_id", "quantity"))
        assert levels == {shop.sugar.pk: Decimal(50), shop.rice.pk: Decimal(40)}


def test_demo_purchasing_waits_for_products(business: Tenant) -> None:
    with tenant_context(business):
        seed_demo_purchasing()

        assert not Supplier.objects.exists()
        assert not PurchaseOrder.objects.exists()
