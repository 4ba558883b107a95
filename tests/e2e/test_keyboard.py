"""The till's keys: F2 puts the cursor in the scan field, F4 opens the payment, Escape closes
a window, F8 parks the cart, F1 lists the keys."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.barcodes import with_check_digit
from tenant_apps.sales.models import Sale
from tests.e2e.till import Shop, log_in, open_till, shot, stock_up

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUGAR = with_check_digit("601000000001")


def test_function_keys(
    page: Page, make_tenant: Callable[..., Tenant], shop_of: Callable[[Tenant], Shop]
) -> None:
    tenant = make_tenant(business_name="Sukari Shop", slug="sukari")
    stock_up(tenant, "Sugar 1kg", "SUGAR-1", price="180", quantity="10", barcode=SUGAR)
    log_in(page, shop_of(tenant), tenant.owner_email)
    open_till(page)

    page.evaluate("document.activeElement.blur()")
    expect(page.locator("#scan")).not_to_be_focused()
    page.keyboard.press("F2")
    expect(page.locator("#scan")).to_be_focused()

    page.keyboard.type(SUGAR)
    page.keyboard.press("Enter")
    expect(page.locator("#lines li")).to_have_count(1)
    page.keyboard.press("F4")
    expect(page.locator("#dialog[data-name=pay]")).to_be_visible()
    expect(page.locator("#due")).to_have_text("KES 180.00")
    shot(page, "71-pay-1024")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    expect(page.locator("#take-payment")).to_be_in_viewport()
    shot(page, "72-pay-phone")
    page.set_viewport_size({"width": 1024, "height": 768})
    page.keyboard.press("F8")  # no parking behind an open window
    page.keyboard.press("Escape")
    expect(page.locator("#dialog")).not_to_be_visible()
    expect(page.locator("#lines li")).to_have_count(1)

    page.keyboard.press("F1")
    expect(page.locator("#dialog[data-name=help]")).to_be_visible()
    shot(page, "70-keys-help")
    page.keyboard.press("Escape")
    expect(page.locator("#dialog")).not_to_be_visible()

    page.keyboard.press("F8")
    expect(page.locator("#toast")).to_contain_text("parked")
    expect(page.locator("#lines li")).to_have_count(0)
    page.keyboard.press("F4")  # nothing to pay
    expect(page.locator("#toast")).to_contain_text("cart is empty")
    expect(page.locator("#dialog")).not_to_be_visible()

    with tenant_context(tenant):
        parked = Sale.objects.get()
        assert parked.status == "parked" and parked.total.amount == 180
