"""The forecasting page in a real browser: the owner of a shop with imported history reads
how far to trust the forecasts and what to order, drafts the purchase orders, and sees the
cashiers table; on a phone the tables scroll inside the page; a cashier may not open it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.timezone import localtime
from django_tenants.utils import tenant_context
from moneyed import Money
from playwright.sync_api import Page, expect

from saas_platform.tenancy import business_today, business_zone
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role, User
from tenant_apps.forecasting.history_import import sales_history_import
from tenant_apps.forecasting.models import ForecastRun
from tenant_apps.forecasting.services import forecast_run_execute
from tenant_apps.inventory.models import Location
from tenant_apps.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier
from tenant_apps.sales.models import Register, SaleStatus
from tests.e2e.till import Shop, shot, stock_up
from tests.support.billing import put_on_plan
from tests.support.sales import sale_row
from tests.support.tenants import STRONG_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shop_with_forecasts(tenant: Tenant) -> None:
    """Three products with 120 days of imported history (a weekly pattern), one of them last
    ordered from a supplier, and a trained forecast."""
    unga = stock_up(tenant, "Unga 2kg", "UNGA-2KG", price="190", quantity="4")
    sugar = stock_up(tenant, "Sugar 1kg", "SUGAR-1KG", price="170", quantity="3")
    stock_up(tenant, "Matches", "MATCHES", price="5", quantity="200")
    with tenant_context(tenant):
        today = business_today()
        rows = ["date,sku,units,gross"]
        for back in range(1, 121):
            day = today - timedelta(days=back)
            weekend = 2 if day.weekday() >= 5 else 1
            rows.append(f"{day},UNGA-2KG,{6 * weekend + back % 3},{(6 * weekend + back % 3) * 190}")
            rows.append(
                f"{day},SUGAR-1KG,{3 * weekend + back % 2},{(3 * weekend + back % 2) * 170}"
            )
            rows.append(f"{day},MATCHES,{back % 2},{(back % 2) * 5}")
        sales_history_import(content="\n".join(rows))
        store = Location.objects.get(code="STORE")
        supplier = Supplier.objects.create(name="Bidco Kenya", lead_time_days=5)
        old = PurchaseOrder.objects.create(
            reference="PO-OLD", supplier=supplier, destination=store, status="closed"
        )
        for product in (unga, sugar):
            PurchaseOrderLine.objects.create(
                order=old, product=product, quantity_ordered=Decimal(10),
                unit_cost=Money(Decimal(100), tenant.currency),
            )  # fmt: skip
        run = ForecastRun.objects.create()
        forecast_run_execute(run_id=run.pk)
        run.refresh_from_db()
        assert run.status == "done", run.error


def _sign_in(page: Page, shop: Shop, email: str) -> None:
    page.goto(f"{shop.url}/forecasts/")
    expect(page).to_have_url(f"{shop.url}/login/?next=/forecasts/")
    page.fill("#id_username", email)
    page.fill("#id_password", STRONG_PASSWORD)
    page.click("button[type=submit]")


def test_the_owner_reads_the_forecasts_and_drafts_the_orders(
    page: Page,
    make_tenant: Callable[..., Tenant],
    shop_of: Callable[[Tenant], Shop],
    member: Callable[..., User],
) -> None:
    tenant = make_tenant(business_name="Mama Mboga Stores", slug="mama-mboga")
    put_on_plan(tenant, "growth")
    _shop_with_forecasts(tenant)
    shop = shop_of(tenant)

    _sign_in(page, shop, tenant.owner_email)

    expect(page).to_have_url(f"{shop.url}/forecasts/")
    expect(page.locator("#trust")).to_contain_text("erred")
    expect(page.locator("#series")).to_have_text("3")
    with tenant_context(tenant):  # in the shop's time (Nairobi), not the server's (UTC)
        finished = localtime(ForecastRun.objects.get().finished_at, business_zone())
    expect(page.locator("#trained-at")).to_have_text(finished.strftime("%-d %b %Y, %H:%M"))
    expect(page.locator("#reorder")).to_contain_text("Unga 2kg")
    expect(page.locator("#reorder")).to_contain_text("Bidco Kenya")
    expect(page.locator("#anomalies")).to_contain_text("No-sale openings")
    page.set_viewport_size({"width": 1024, "height": 1100})
    shot(page, "forecasts-01-owner")

    page.click("#reorder a:text('Unga 2kg')")
    expect(page.locator("h1")).to_contain_text("Unga 2kg")
    expect(page.locator("#chart polyline.median")).to_have_count(1)
    expect(page.locator("#chart polyline.past")).to_have_count(1)
    expect(page.locator("#days tbody tr")).to_have_count(28)
    shot(page, "forecasts-05-product")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "forecasts-06-product-phone")
    page.set_viewport_size({"width": 1024, "height": 1100})
    page.go_back()
    # A product with nothing to order is found by name.
    page.fill("#q", "match")
    page.click("#find button")
    page.click("#find a:text('Matches')")
    expect(page.locator("h1")).to_contain_text("Matches")
    expect(page.locator("#chart polyline.median")).to_have_count(1)
    page.goto(f"{shop.url}/forecasts/")

    page.click("#draft-orders")
    expect(page.locator(".messages")).to_contain_text("draft purchase order(s), one per supplier")
    with tenant_context(tenant):
        drafts = PurchaseOrder.objects.filter(status="draft")
        assert drafts.count() == 1
        assert {line.product.sku for line in drafts.get().lines.all()} <= {"UNGA-2KG", "SUGAR-1KG"}
    page.click("#train")
    expect(page.locator(".messages")).to_contain_text("asked for")
    expect(page.locator("#active")).to_contain_text("queued")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#model")).to_be_visible()
    shot(page, "forecasts-02-phone")
    # The wide table scrolls sideways inside the page, its first columns readable; the whole
    # phone page is shot (a viewport shot after scrolling came out blank below the first row).
    expect(page.locator("#reorder tbody tr")).to_have_count(2)
    expect(page.locator("#reorder table")).to_be_visible()
    shot(page, "forecasts-03-phone-table", full_page=True)

    cashier = member(tenant, Role.CASHIER)
    page.context.clear_cookies()
    _sign_in(page, shop, cashier.email)
    expect(page.locator("body")).to_contain_text("not allow")


def test_the_owner_opens_the_sales_behind_a_flagged_count(
    page: Page,
    make_tenant: Callable[..., Tenant],
    shop_of: Callable[[Tenant], Shop],
    member: Callable[..., User],
) -> None:
    tenant = make_tenant(business_name="Duka la Juma", slug="duka-la-juma")
    put_on_plan(tenant, "growth")
    cashiers = [member(tenant, Role.CASHIER, full_name=f"Cashier {n}") for n in range(4)]
    with tenant_context(tenant):
        till = Register.objects.get(code="TILL1")
        for index, cashier in enumerate(cashiers):
            for n in range(12):
                voided = index == 3 and n < 6
                sale_row(till, cashier, **({
                    "status": SaleStatus.VOIDED, "voided_at": timezone.now(),
                    "voided_by": cashier, "void_reason": "wrong item scanned",
                } if voided else {}))  # fmt: skip
    shop = shop_of(tenant)

    _sign_in(page, shop, tenant.owner_email)
    flagged = page.locator("#anomalies a.flagged-count")
    expect(flagged).to_have_text("6")
    flagged.click()

    expect(page.locator("h1")).to_have_text("Voids: Cashier 3")
    expect(page.locator("#evidence tbody tr")).to_have_count(6)
    expect(page.locator("#evidence")).to_contain_text("Voided: wrong item scanned")
    page.set_viewport_size({"width": 1024, "height": 700})
    shot(page, "forecasts-04-evidence")
    page.locator("#evidence a").first.click()
    expect(page).to_have_url(re.compile(r"/r/[0-9a-f-]{36}/"))
    expect(page.locator("body")).to_contain_text("Duka la Juma")
