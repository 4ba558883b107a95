"""A new business sells at its till: sign up, log in, open a shift, scan, pay cash, print."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.barcodes import with_check_digit
from tenant_apps.inventory.models import MovementReason, StockLevel, StockMovement
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.sales.models import Sale
from tests.e2e.till import Shop, log_in, new_sale, open_till, scan, shot, stock_up
from tests.support.tenants import STRONG_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_signup_login_open_shift_scan_pay_cash_and_print(
    page: Page, shop_of: Callable[[Tenant], Shop], public_tenant: Tenant, live_server: object
) -> None:
    root = shop_of(public_tenant).root
    signup = page.request.post(
        f"{root}/api/v1/signup/",
        data={
            "business_name": "Mama Mboga Stores",
            "slug": "mama-mboga",
            "owner_name": "Achieng Otieno",
            "owner_email": "achieng@example.com",
            "password": STRONG_PASSWORD,
            "country": "KE",
            "currency": "KES",
            "time_zone": "Africa/Nairobi",
        },
    )
    assert signup.status == 201, signup.text()
    tenant = Tenant.objects.get(slug="mama-mboga")
    shop = shop_of(tenant)
    code = with_check_digit("600123456789")
    sugar = stock_up(tenant, "Sugar 1kg", "SUGAR-1", price="155.50", quantity="10", barcode=code)

    log_in(page, shop, "achieng@example.com")
    shot(page, "01-choose-till")
    open_till(page, "1000")
    shot(page, "02-sell-empty")
    scan(page, code)
    scan(page, code)
    expect(page.locator("#lines li")).to_have_count(1)
    expect(page.locator("#total")).to_have_text("311.00")
    shot(page, "03-cart")
    # A misread (wrong check digit) is refused and adds nothing.
    scan(page, code[:-1] + str((int(code[-1]) + 1) % 10))
    expect(page.locator("#toast")).to_contain_text("check digit")
    expect(page.locator("#lines li")).to_have_count(1)

    page.keyboard.press("F4")
    page.locator("#tenders .amount").first.fill("500")
    expect(page.locator("#change")).to_have_text("Change 189.00")
    shot(page, "04-pay")
    page.keyboard.press("Enter")
    receipt = page.locator("#receipt-view")
    expect(receipt.locator("[data-total]")).to_have_text("311.00")
    expect(receipt.locator("[data-change]")).to_have_text("189.00")
    expect(receipt.locator("[data-receipt]")).to_have_text("T1-000001")
    shot(page, "05-receipt")
    new_sale(page)
    page.emulate_media(media="print")
    page.evaluate(
        "document.getElementById('paper').innerHTML ="
        " document.getElementById('receipt-view').innerHTML;"
        " document.body.classList.add('paper-58')"
    )
    shot(page, "06-receipt-print-58mm")
    page.emulate_media(media="screen")
    scan(page, code)
    expect(page.locator("#lines li")).to_have_count(1)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    expect(page.locator("button[data-action=pay]")).to_be_in_viewport()
    shot(page, "07-phone")

    with tenant_context(tenant):
        sale = Sale.objects.get()
        assert sale.status == "completed"
        assert sale.total.amount == Decimal("311.00")
        assert sale.receipt_number == 1
        movement = StockMovement.objects.get(reference=str(sale.uuid))
        assert movement.reason == MovementReason.SALE
        assert movement.quantity == Decimal("-2")
        assert StockLevel.objects.get(product=sugar).quantity == Decimal("8")
        entry = JournalEntry.objects.get(reference=str(sale.uuid))
        assert entry.source == "sale"
