"""The till of a business that billing suspends while a shift is open: the checkout's 402 is
shown instead of a sale, nothing is kept in the outbox to send later, the pay key then says
selling is paused, and a reload shows the banner with the link to Billing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from billing.models import Subscription, SubscriptionStatus
from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.barcodes import with_check_digit
from tenant_apps.sales.models import Sale
from tests.e2e.till import Shop, log_in, open_till, pending, scan, shot, stock_up
from tests.support.billing import ensure_catalog
from tests.support.urls import tenant_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_suspended_business_sells_nothing_online_or_offline(
    page: Page, make_tenant: Callable[..., Tenant], shop_of: Callable[[Tenant], Shop]
) -> None:
    ensure_catalog()
    tenant = make_tenant(business_name="Held Shop", slug="held-shop")
    shop = shop_of(tenant)
    code = with_check_digit("600123450001")
    stock_up(tenant, "Tea 250g", "TEA-1", price="120.00", quantity="5", barcode=code)
    log_in(page, shop, tenant.owner_email)
    open_till(page, "500")
    # Dunning suspends the business while the till is open.
    Subscription.objects.filter(tenant=tenant).update(status=SubscriptionStatus.SUSPENDED)
    Tenant.objects.filter(pk=tenant.pk).update(status="suspended")

    scan(page, code)
    page.keyboard.press("F4")
    expect(page.locator("#dialog[data-name=pay]")).to_be_visible()
    page.keyboard.press("Enter")

    expect(page.locator("#dialog-error")).to_contain_text("Not sold")
    expect(page.locator("#dialog-error")).to_contain_text("unpaid Duka invoice")
    expect(page.locator(".billing-banner.held")).to_contain_text("Selling is paused")
    shot(page, "till-held-01-refused")
    assert pending(page) == 0
    with tenant_context(tenant):
        assert not Sale.objects.exists()

    page.keyboard.press("Escape")
    page.context.set_offline(True)
    page.keyboard.press("F4")
    expect(page.locator("#toast")).to_contain_text("Selling is paused")
    expect(page.locator("#dialog[data-name=pay]")).not_to_be_visible()
    assert pending(page) == 0
    page.context.set_offline(False)

    page.reload()
    expect(page.locator("body")).to_have_attribute("data-hold", "suspended")
    banner = page.locator(".billing-banner.held")
    expect(banner).to_contain_text("unpaid Duka invoice")
    expect(banner.locator("a")).to_have_attribute("href", tenant_path("billing-page:account"))
    shot(page, "till-held-02-reloaded")
