"""The business's billing page in a real browser: a past-due business sees the banner, its
plan, usage, the next invoice's estimate and its invoice; the owner saves M-Pesa on the fake
Paystack's own page and comes back to the page with it saved; then moves to Growth at the end
of the period."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from billing.models import BillingAccount, Subscription, SubscriptionStatus
from billing.services.invoicing import invoice_next_boundary
from devtools.billing_fakes import BillingFakes, start_billing_fakes
from shared_apps.tenants.models import Tenant
from tests.e2e.till import Shop, port_of, shot
from tests.support.billing import ensure_catalog
from tests.support.tenants import STRONG_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fakes(settings: Any, live_server: LiveServer) -> Iterator[BillingFakes]:
    """The gateway fakes, and links to a business pointing at the live server's port (the
    fake Paystack sends the browser back to the address we gave it)."""
    server = start_billing_fakes(port=0)
    for name, value in server.settings().items():
        setattr(settings, name, value)
    settings.PLATFORM_URL_PORT = str(port_of(live_server))
    settings.PLATFORM_URL_SCHEME = "http"
    try:
        yield server
    finally:
        server.stop()


def test_the_owner_reads_the_billing_page_saves_mobile_money_and_changes_plan(
    page: Page,
    make_tenant: Callable[..., Tenant],
    shop_of: Callable[[Tenant], Shop],
    fakes: BillingFakes,
) -> None:
    ensure_catalog()  # plans and tax rates, flushed by earlier transactional tests
    tenant = make_tenant(business_name="Duka la Mama", slug="duka-la-mama")
    shop = shop_of(tenant)
    # The trial ended two days ago; its invoice was not paid (no method saved): past due.
    subscription = Subscription.objects.get(tenant=tenant)
    ended = timezone.now() - timedelta(days=2)
    Subscription.objects.filter(pk=subscription.pk).update(
        current_period_start=ended - timedelta(days=14),
        current_period_end=ended,
        trial_end=ended,
        next_invoice_at=ended,
        usage_from=ended - timedelta(days=14),
    )
    invoice = invoice_next_boundary(subscription_id=subscription.pk)
    assert invoice is not None
    Subscription.objects.filter(pk=subscription.pk).update(
        status=SubscriptionStatus.PAST_DUE, past_due_since=ended
    )
    Tenant.objects.filter(pk=tenant.pk).update(status="past_due")

    page.goto(f"{shop.url}/billing/")
    expect(page).to_have_url(f"{shop.url}/login/?next=/billing/")
    page.fill("#id_username", tenant.owner_email)
    page.fill("#id_password", STRONG_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{shop.url}/billing/")

    expect(page.locator(".billing-banner")).to_contain_text("could not be charged")
    expect(page.locator("#subscription-status")).to_have_text("Past due")
    expect(page.locator("#plan")).to_contain_text("Starter")
    expect(page.locator("#payment-method")).to_contain_text("None saved")
    expect(page.locator("#usage")).to_contain_text("Completed sales")
    # Starter's next month, KES 2,500 + 16 % VAT.
    expect(page.locator("#upcoming-total")).to_have_text("KES 2900.00")
    expect(page.locator("#invoices")).to_contain_text(invoice.number or "")
    shot(page, "billing-01-past-due")

    # The invoice's PDF link answers a PDF (fetched by the page: only Chromium resolves
    # *.localhost).
    pdf_href = page.locator("#invoices a", has_text="PDF").first.get_attribute("href")
    answer = page.evaluate(
        "async (href) => { const r = await fetch(href); "
        "return [r.status, r.headers.get('Content-Type')]; }",
        pdf_href,
    )
    assert answer == [200, "application/pdf"]

    page.click("#setup-payment")
    expect(page.locator("h1")).to_contain_text("Pay KES 10.00")
    shot(page, "billing-02-gateway-page")
    page.check("input[value=mobile_money]")
    page.click("button[value=success]")

    expect(page).to_have_url(f"{shop.url}/billing/")
    expect(page.locator(".messages")).to_contain_text("is saved")
    expect(page.locator("#payment-method")).to_contain_text("M-Pesa")
    account = BillingAccount.objects.get(tenant=tenant)
    assert account.has_method and account.method_label.startswith("M-Pesa")

    page.select_option("#plan-choice", "growth")
    page.check("input[name=when][value=period_end]")
    page.click("#change-plan-submit")
    expect(page.locator(".messages")).to_contain_text("changes when this period ends")
    expect(page.locator("#plan")).to_contain_text("Moves to Growth")
    page.set_viewport_size({"width": 1024, "height": 1400})
    shot(page, "billing-03-saved-and-plan-pending")
    # On a phone the tables scroll inside the page and the banner stays readable.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#plan")).to_be_visible()
    shot(page, "billing-04-phone")
    assert Subscription.objects.get(pk=subscription.pk).pending_plan_id is not None
