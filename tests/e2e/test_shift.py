"""Closing the shift at the till: cash in and out during the shift, the drawer opened with no
sale, closing with the counted cash and the Z report (expected, counted, variance). Closing and
signing out are refused while a sale made offline waits to be sent."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, Page, Route, expect

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.barcodes import with_check_digit
from tenant_apps.sales.models import CashMovement, DrawerOpening, Sale, Shift
from tests.e2e.till import (
    Shop,
    log_in,
    new_sale,
    open_till,
    pay_cash,
    pending,
    scan,
    shot,
    stock_up,
)
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEA = with_check_digit("600800000001")


def _cash_move(page: Page, kind: str, amount: str, reason: str) -> None:
    page.select_option("#cash-kind", kind)
    page.fill("#cash-amount", amount)
    page.fill("#cash-reason", reason)
    page.click("#cash-move")
    expect(page.locator("#toast")).to_contain_text("Recorded")
    # The X report is drawn again with the movement in it.
    expect(page.locator("#cash-amount")).to_have_value("")


def test_cash_in_and_out_then_close_with_z_report_refused_while_sales_wait(
    context: BrowserContext,
    page: Page,
    make_tenant: Callable[..., Tenant],
    shop_of: Callable[[Tenant], Shop],
) -> None:
    tenant = make_tenant(business_name="Chai Point", slug="chai-point")
    stock_up(tenant, "Tea leaves 250g", "TEA-250", price="150", quantity="10", barcode=TEA)
    log_in(page, shop_of(tenant), tenant.owner_email)
    open_till(page, "1000")

    scan(page, TEA)
    pay_cash(page)  # exact: 150 into the drawer
    new_sale(page)

    page.keyboard.press("F10")
    expect(page.locator("#dialog[data-name=shift]")).to_be_visible()
    _cash_move(page, "cash_in", "500", "Change from the bank")
    _cash_move(page, "cash_out", "200", "Paid the cleaner")
    # The drawer opened with no sale: recorded (for the owner's anomaly signals), no money.
    page.fill("#no-sale-reason", "Change for a 1000 note")
    page.click("#no-sale")
    expect(page.locator("#toast")).to_contain_text("no sale recorded")
    expect(page.locator("#no-sale-reason")).to_have_value("")
    with tenant_context(tenant):
        assert list(DrawerOpening.objects.values_list("reason", flat=True)) == [
            "Change for a 1000 note"
        ]
    expect(page.locator("#report")).to_be_visible()
    # The report scrolls inside its window; the buttons stay on the screen.
    expect(page.locator("#close-shift")).to_be_in_viewport()
    shot(page, "40-shift-x-report")
    page.keyboard.press("Escape")
    expect(page.locator("#dialog")).not_to_be_visible()

    # A sale made offline that cannot be sent yet (the checkout is unreachable when the
    # connection comes back) holds the shift open and the cashier signed in.
    context.set_offline(True)
    expect(page.locator("#net")).to_have_text("Offline")
    scan(page, TEA)
    pay_cash(page)
    new_sale(page)

    def unreachable(route: Route) -> None:
        route.abort("connectionrefused")

    page.route("**/api/v1/sales/checkout/", unreachable)
    context.set_offline(False)
    expect(page.locator("#net")).to_have_text("Online")
    expect(page.locator("#pending")).to_have_text("1 to sync")
    page.keyboard.press("F10")
    page.fill("#counted-cash", "1600")
    page.click("#close-shift")
    expect(page.locator("#dialog-error")).to_contain_text("wait to sync")
    expect(page.locator("#dialog[data-name=shift]")).to_be_visible()
    shot(page, "41-close-refused-offline-sale-waits")
    page.keyboard.press("Escape")
    page.click("button[data-action=signout]")
    expect(page.locator("#toast")).to_contain_text("wait to sync")
    with tenant_context(tenant):
        assert Shift.objects.get().status == "open"

    # Once the sale is sent the shift closes: float 1000 + sales 300 + 500 in - 200 out is
    # 1600 expected; 1590 counted is 10 short.
    page.unroute("**/api/v1/sales/checkout/", unreachable)
    context.set_offline(True)
    context.set_offline(False)  # the till sends its outbox when the connection returns
    wait_until(lambda: pending(page) == 0, timeout=20)
    page.keyboard.press("F10")
    page.fill("#counted-cash", "1590")
    page.click("#close-shift")
    expect(page.locator("#dialog[data-name=z-report]")).to_be_visible()
    summary = page.locator("#z-summary")
    expect(summary).to_have_text("Expected 1600.00, counted 1590.00, difference -10.00.")
    expect(page.locator("#report tr[data-key=variance] td").last).to_have_text("-10.00")
    expect(page.locator("#report tr[data-key='tenders.cash'] td").last).to_have_text("300.00")
    shot(page, "42-z-report")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    expect(page.locator("#dialog-buttons button.primary")).to_be_in_viewport()
    shot(page, "43-z-report-phone")
    # Printed, the report is on the paper (the dialog is never printed).
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click("#print-z")
    expect(page.locator("#paper")).to_contain_text("Z report · Till 1")
    expect(page.locator("#paper")).to_contain_text("difference -10.00")

    with tenant_context(tenant):
        shift = Shift.objects.get()
        assert shift.status == "closed"
        assert (shift.expected_cash.amount, shift.counted_cash.amount, shift.variance.amount) == (
            Decimal("1600.00"),
            Decimal("1590.00"),
            Decimal("-10.00"),
        )
        assert sorted((m.kind, m.amount.amount) for m in CashMovement.objects.all()) == [
            ("cash_in", Decimal("500.00")),
            ("cash_out", Decimal("200.00")),
        ]
        assert Sale.objects.filter(status="completed").count() == 2
