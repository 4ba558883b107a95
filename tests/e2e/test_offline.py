"""Selling with no connection: the page starts from the service worker's cache, scans from the
local catalog, keeps three sales with provisional numbers, refuses to sign out, and sends them
when the connection returns — exactly once, even with a second tab open and a reload during
the sync; a sale whose last unit another till sold meanwhile is kept and flagged."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from moneyed import Money
from playwright.sync_api import BrowserContext, Page, expect

from saas_platform.tenancy import business_today
from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.barcodes import with_check_digit
from tenant_apps.inventory.models import Location, StockLevel
from tenant_apps.inventory.selectors import stock_drift
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.ledger.selectors import trial_balance
from tenant_apps.sales.models import Register, Sale
from tenant_apps.sales.services.tills import register_create, shift_open
from tests.e2e.till import (
    Shop,
    log_in,
    new_sale,
    open_till,
    pay_cash,
    pending,
    ready_offline,
    scan,
    shot,
    stock_up,
)
from tests.support.people import owner_of
from tests.support.sales import cart, checkout
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FLOUR = with_check_digit("600987654321")
MILK = with_check_digit("600111222333")


def _other_till_sells(
    tenant: Tenant, jwt_client: Callable[[Tenant, str], Client], product_id: int
) -> None:
    with tenant_context(tenant):
        store = Location.objects.get(code="STORE")
        other = register_create(
            code="TILL2", name="Till 2", location_id=store.pk, receipt_prefix="B-"
        )
        shift_open(
            register_id=other.pk, opening_float=Money(0, tenant.currency), actor=owner_of(tenant)
        )
    sold = checkout(jwt_client(tenant, tenant.owner_email), cart(other, (product_id, "1")))
    assert sold.status_code == 201, sold.content


def test_three_sales_offline_then_synced_once(
    context: BrowserContext,
    page: Page,
    make_tenant: Callable[..., Tenant],
    shop_of: Callable[[Tenant], Shop],
    jwt_client: Callable[[Tenant, str], Client],
) -> None:
    tenant = make_tenant(business_name="Duka la Kona", slug="kona")
    shop = shop_of(tenant)
    flour = stock_up(
        tenant, "Maize flour 2kg", "FLOUR-2", price="210", quantity="10", barcode=FLOUR
    )
    milk = stock_up(tenant, "Milk 500ml", "MILK-500", price="65", quantity="1", barcode=MILK)
    log_in(page, shop, tenant.owner_email)
    open_till(page)
    ready_offline(page)

    context.set_offline(True)
    page.reload()  # from the service worker's cache, the catalog from IndexedDB
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    expect(page.locator("#net")).to_have_text("Offline")

    receipts = []
    for codes in ([FLOUR], [MILK], [FLOUR, FLOUR]):
        for code in codes:
            scan(page, code)
        pay_cash(page)
        receipts.append(page.locator("#receipt-view [data-device]").inner_text())
        if len(receipts) == 1:
            shot(page, "10-offline-receipt")
        new_sale(page)
    assert len(set(receipts)) == 3 and all(re.fullmatch(r"T\w{5}-\d{6}", r) for r in receipts)
    expect(page.locator("#pending")).to_have_text("3 to sync")
    shot(page, "11-offline-three-waiting")
    page.click("button[data-action=signout]")
    expect(page.locator("#toast")).to_contain_text("wait to sync")
    expect(page).to_have_url(f"{shop.url}/terminal/")

    _other_till_sells(tenant, jwt_client, milk.pk)  # the last milk, while this till is offline

    second = context.new_page()
    second.goto(f"{shop.url}/terminal/")
    expect(second.locator("#pending")).to_have_text("3 to sync")
    context.set_offline(False)
    page.reload()  # while both tabs start sending
    wait_until(lambda: pending(second) == 0 and pending(page) == 0, timeout=30)
    expect(page.locator("#pending")).to_have_text("0 to sync")
    shot(page, "12-back-online-synced")

    with tenant_context(tenant):
        sales = Sale.objects.filter(register__code="TILL1").order_by("receipt_number")
        assert [s.device_number for s in sales] == receipts
        assert [s.receipt_number for s in sales] == [1, 2, 3]
        assert [s.total.amount for s in sales] == [
            Decimal("210.00"),
            Decimal("65.00"),
            Decimal("420.00"),
        ]
        assert [s.short_stock_flagged for s in sales] == [False, True, False]
        assert Sale.objects.count() == 4  # and the other till's one
        store = Location.objects.get(code="STORE")
        assert StockLevel.objects.get(product=flour, location=store).quantity == Decimal(7)
        assert StockLevel.objects.get(product=milk, location=store).quantity == Decimal(-1)
        assert JournalEntry.objects.filter(source="sale").count() == 4
        balance = trial_balance(as_of=business_today())
        assert balance.total_debit == balance.total_credit
        assert stock_drift() == []
        assert Register.objects.get(code="TILL1").next_receipt_number == 4
