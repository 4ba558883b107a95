"""A customer at the till: found by name, a sale on account that grows their balance, and one
over their credit limit refused with the API's message. A coupon applied at the till, the
total the server computes."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context
from moneyed import Money
from playwright.sync_api import Page, expect

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.barcodes import with_check_digit
from tenant_apps.customers.models import Customer
from tenant_apps.customers.services import customer_create
from tenant_apps.sales.models import Coupon, Sale
from tenant_apps.sales.services.coupons import coupon_create
from tests.e2e.till import Shop, log_in, new_sale, open_till, pay_cash, scan, shot, stock_up

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RICE = with_check_digit("600900000001")


def _choose_customer(page: Page, text: str) -> None:
    page.keyboard.press("F3")
    page.fill("#customer-search", text)
    expect(page.locator("#customer-list li")).to_have_count(1)
    page.locator("#customer-list button").evaluate("b => b.click()")
    expect(page.locator("#customer-line")).to_contain_text("Customer: Wanjiru Hotel")


def _pay_on_account(page: Page) -> None:
    page.keyboard.press("F4")
    page.select_option("#tenders .method", "account")
    page.keyboard.press("Enter")


def test_sale_on_account_within_the_limit_and_refused_over_it(
    page: Page, make_tenant: Callable[..., Tenant], shop_of: Callable[[Tenant], Shop]
) -> None:
    tenant = make_tenant(business_name="Mchele Wholesale", slug="mchele")
    stock_up(tenant, "Rice 5kg", "RICE-5", price="600", quantity="10", barcode=RICE)
    with tenant_context(tenant):
        customer = customer_create(
            name="Wanjiru Hotel", phone="0722000111", credit_limit=Money(1000, tenant.currency)
        )
    log_in(page, shop_of(tenant), tenant.owner_email)
    open_till(page)

    scan(page, RICE)
    _choose_customer(page, "wanj")
    _pay_on_account(page)
    expect(page.locator("#dialog[data-name=receipt]")).to_be_visible()
    expect(page.locator("#receipt-view [data-total]")).to_have_text("600.00")
    shot(page, "60-on-account-receipt")
    new_sale(page)
    with tenant_context(tenant):
        assert Customer.objects.get(pk=customer.pk).balance.amount == Decimal("600.00")

    # Another 600 would owe 1,200 against a limit of 1,000.
    scan(page, RICE)
    _choose_customer(page, "0722")
    _pay_on_account(page)
    expect(page.locator("#dialog-error")).to_contain_text(
        "Wanjiru Hotel has KES 400.00 of credit available (limit KES 1,000.00, owing KES 600.00)"
    )
    expect(page.locator("#dialog[data-name=pay]")).to_be_visible()
    shot(page, "61-over-the-credit-limit")

    with tenant_context(tenant):
        assert Customer.objects.get(pk=customer.pk).balance.amount == Decimal("600.00")
        assert Sale.objects.filter(status="completed").count() == 1


def test_coupon_applied_at_the_till(
    page: Page, make_tenant: Callable[..., Tenant], shop_of: Callable[[Tenant], Shop]
) -> None:
    tenant = make_tenant(business_name="Mchele Retail", slug="mchele-retail")
    stock_up(tenant, "Rice 5kg", "RICE-5", price="600", quantity="10", barcode=RICE)
    with tenant_context(tenant):
        coupon_create(code="karibu10", kind="percent", value=Decimal(10))
    log_in(page, shop_of(tenant), tenant.owner_email)
    open_till(page)

    scan(page, RICE)
    scan(page, RICE)
    expect(page.locator("#total")).to_have_text("1,200.00")
    page.click("button[data-action=coupon]")
    page.fill("#coupon-code", "karibu10")
    page.click("#coupon-apply")
    expect(page.locator("#dialog")).not_to_be_visible()
    expect(page.locator("#customer-line")).to_have_text("Coupon: KARIBU10")
    expect(page.locator("#total")).to_have_text("1080.00")
    shot(page, "62-coupon-applied")
    page.locator("#scan").fill("")  # a click closed the dialog: a fill gives the keys back
    pay_cash(page)
    expect(page.locator("#receipt-view [data-total]")).to_have_text("1080.00")

    with tenant_context(tenant):
        sale = Sale.objects.get()
        assert sale.total.amount == Decimal("1080.00")
        assert sale.coupon == Coupon.objects.get(uses=1)
