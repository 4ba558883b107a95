"""Parking and resuming a cart, a return against a receipt, and two cashiers switching at one
till by PIN, in the browser."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role, User
from tenant_apps.catalog.barcodes import with_check_digit
from tenant_apps.inventory.models import StockLevel
from tenant_apps.sales.models import Sale, SaleReturn
from tenant_apps.staff.services import staff_set_own_pin
from tests.e2e.till import Shop, log_in, new_sale, open_till, pay_cash, scan, shot, stock_up
from tests.support.tenants import STRONG_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BREAD = with_check_digit("600700000001")
JAM = with_check_digit("600700000002")


def _cashier(tenant: Tenant, email: str, name: str, pin: str) -> User:
    with tenant_context(tenant):
        user = User.objects.create_user(email, STRONG_PASSWORD, full_name=name, role=Role.CASHIER)
        staff_set_own_pin(user=user, pin=pin)
        return user


def test_park_resume_return_and_pin_switch(
    page: Page, make_tenant: Callable[..., Tenant], shop_of: Callable[[Tenant], Shop]
) -> None:
    tenant = make_tenant(business_name="Bakery", slug="bakery")
    bread = stock_up(tenant, "Bread", "BREAD", price="60", quantity="10", barcode=BREAD)
    stock_up(tenant, "Jam", "JAM", price="250", quantity="5", barcode=JAM)
    _cashier(tenant, "amina@example.com", "Amina", "4821")
    _cashier(tenant, "baraka@example.com", "Baraka", "7350")
    log_in(page, shop_of(tenant), tenant.owner_email)
    open_till(page)

    # Park a cart, sell something else, then resume the parked one and sell it.
    scan(page, JAM)
    page.keyboard.press("F8")
    expect(page.locator("#toast")).to_contain_text("parked")
    expect(page.locator("#lines li")).to_have_count(0)
    scan(page, BREAD)
    pay_cash(page)
    new_sale(page)
    page.keyboard.press("F9")
    expect(page.locator("#parked-list li")).to_have_count(1)
    shot(page, "30-parked")
    page.locator("#parked-list button").evaluate("b => b.click()")
    expect(page.locator("#lines li")).to_have_count(1)
    expect(page.locator("#total")).to_have_text("250.00")
    pay_cash(page)
    new_sale(page)

    # Return one bread against its receipt (the owner may refund).
    page.keyboard.press("F6")
    expect(page.locator("#history-list li")).to_have_count(2)
    shot(page, "31-recent-sales")
    page.keyboard.press("Escape")
    page.keyboard.press("F7")
    page.fill("#return-receipt", "T1-000001")
    page.keyboard.press("Enter")
    page.locator(".return-qty").first.fill("1")
    page.fill("#return-reason", "Stale")
    shot(page, "32-return")
    page.locator("#return-submit").evaluate("b => b.click()")
    expect(page.locator("#refund-total")).to_contain_text("Refund 60.00")
    page.keyboard.press("Escape")

    # Two cashiers take turns at the till by PIN; each sale is theirs.
    for email, pin, name in (
        ("amina@example.com", "4821", "Amina"),
        ("baraka@example.com", "7350", "Baraka"),
    ):
        page.keyboard.press("F11")
        page.fill("#pin-email", email)
        page.fill("#pin-code", pin)
        page.keyboard.press("Enter")
        expect(page.locator("#cashier")).to_have_text(f"{name} (PIN)")
        scan(page, BREAD)
        pay_cash(page)
        new_sale(page)
    shot(page, "33-pin-switched")
    page.keyboard.press("F11")
    page.fill("#pin-email", "amina@example.com")
    page.fill("#pin-code", "0000")
    page.keyboard.press("Enter")
    expect(page.locator("#dialog-error")).not_to_be_empty()

    with tenant_context(tenant):
        sales = list(Sale.objects.filter(status="completed").order_by("receipt_number"))
        assert [s.receipt_number for s in sales] == [1, 2, 3, 4]
        cashiers = [s.cashier.email if s.cashier else "" for s in sales[2:]]
        assert cashiers == ["amina@example.com", "baraka@example.com"]
        assert sales[1].total.amount == Decimal("250.00")
        assert not Sale.objects.filter(status="parked").exists()
        refund = SaleReturn.objects.get()
        assert refund.sale == sales[0] and refund.total.amount == Decimal("60.00")
        assert StockLevel.objects.get(product=bread).quantity == Decimal(10 - 1 + 1 - 2)
