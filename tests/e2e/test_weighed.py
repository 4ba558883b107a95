"""Weighed goods at the till: a scale's in-store EAN-13 label carries either the price or the
weight after the product's seven-digit item code (docs/terminal.md). The terminal resolves the
label from its snapshot and sends the product and the quantity to the checkout; the server
stores only the item code (an internal code to tenant_apps/catalog/barcodes.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.barcodes import classify, with_check_digit
from tenant_apps.catalog.models import Symbology
from tenant_apps.catalog.services import barcode_add
from tenant_apps.sales.models import Sale
from tests.e2e.till import Shop, log_in, open_till, pay_cash, scan, shot, stock_up

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WEIGHT_ITEM = "2512345"  # 2 + 5 (a weight in grams follows) + item 12345
PRICE_ITEM = "2012345"  # 2 + 0 (a price in cents follows) + the same item
WEIGHT_LABEL = with_check_digit(WEIGHT_ITEM + "01250")  # 1.250 kg
PRICE_LABEL = with_check_digit(PRICE_ITEM + "50000")  # 500.00


def test_weight_and_price_labels_sell_the_product_by_the_kilo(
    page: Page, make_tenant: Callable[..., Tenant], shop_of: Callable[[Tenant], Shop]
) -> None:
    assert classify(WEIGHT_ITEM) == (WEIGHT_ITEM, Symbology.INTERNAL)
    tenant = make_tenant(business_name="Nyama Choma", slug="nyama")
    beef = stock_up(
        tenant, "Beef steak", "BEEF", price="800", quantity="20", unit="kg", sold_by_weight=True
    )
    with tenant_context(tenant):
        for code in (WEIGHT_ITEM, PRICE_ITEM):
            barcode_add(product_id=beef.pk, code=code)
    log_in(page, shop_of(tenant), tenant.owner_email)
    open_till(page)

    scan(page, WEIGHT_LABEL)
    line = page.locator("#lines li").nth(0)
    expect(line.locator(".qty")).to_have_text("1.25 \u00d7 800.00")
    expect(line.locator(".amount")).to_have_text("1,000.00")
    scan(page, PRICE_LABEL)  # 500.00 at 800.00 a kilo is 0.625 kg
    line = page.locator("#lines li").nth(1)
    expect(line.locator(".qty")).to_have_text("0.625 \u00d7 800.00")
    expect(line.locator(".amount")).to_have_text("500.00")
    expect(page.locator("#total")).to_have_text("1,500.00")
    shot(page, "50-weighed-labels")
    pay_cash(page)
    expect(page.locator("#receipt-view [data-total]")).to_have_text("1500.00")

    with tenant_context(tenant):
        sale = Sale.objects.get()
        assert sale.total.amount == Decimal("1500.00")
        assert [(line.product_id, line.quantity) for line in sale.lines.order_by("pk")] == [
            (beef.pk, Decimal("1.250")),
            (beef.pk, Decimal("0.625")),
        ]
