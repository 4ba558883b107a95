"""The console's billing pages in a real browser: a platform owner signs in on the root domain,
opens Billing from the navigation, picks a period and reads the figures, then waives a past-due
invoice with a credit note from its page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from billing.models import CreditNote, Subscription
from devtools.billing_fakes import BillingFakes, start_billing_fakes
from saas_platform.tenancy import use_public_schema
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tests.e2e.till import ARTIFACTS, port_of, shot
from tests.support.billing import bill_next_boundary, ensure_catalog, save_card
from tests.support.tenants import STRONG_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OWNER = "boss@duka.example"


@pytest.fixture
def billing_fakes(settings: Any) -> Iterator[BillingFakes]:
    fakes = start_billing_fakes(port=0)
    for name, value in fakes.settings().items():
        setattr(settings, name, value)
    try:
        yield fakes
    finally:
        fakes.stop()


def test_an_owner_reads_the_figures_and_waives_a_past_due_invoice(
    page: Page,
    live_server: LiveServer,
    public_tenant: Tenant,
    make_tenant: Callable[..., Tenant],
    billing_fakes: BillingFakes,
) -> None:
    # Transactional tests flush the seeded plans: signup needs its default plan again.
    ensure_catalog()
    usd = {"country": "US", "currency": "USD", "time_zone": "America/New_York"}
    paying = make_tenant(business_name="Corner Deli", slug="corner-deli", **usd)
    late = make_tenant(business_name="Late Payer", slug="late-payer", **usd)
    make_tenant(business_name="Fresh Trial", slug="fresh-trial", **usd)
    save_card(paying, billing_fakes)
    paid = bill_next_boundary(paying)
    unpaid = bill_next_boundary(late)
    assert paid is not None and unpaid is not None
    use_public_schema()
    User.objects.create_user(OWNER, STRONG_PASSWORD, full_name="Boss", is_platform_owner=True)
    trial_end = Subscription.objects.get(tenant=paying).trial_end
    assert trial_end is not None
    root = f"http://localhost:{port_of(live_server)}"

    page.goto(f"{root}/console/")
    page.fill("#id_username", OWNER)
    page.fill("#id_password", STRONG_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("tr[data-slug=late-payer] td.plan")).to_contain_text("Starter (past due)")
    page.click("nav.console-nav >> text=Billing")
    page.fill("#id_start", trial_end.date().replace(day=1).isoformat())
    page.fill("#id_end", (trial_end + timedelta(days=1)).date().isoformat())
    page.click("button:has-text('Show')")

    usd_row = page.locator("table.mrr tr[data-currency=USD]")
    expect(usd_row.locator(".mrr-value")).to_have_text("38.00 USD")
    expect(usd_row.locator(".arr-value")).to_have_text("456.00 USD")
    expect(page.locator(".figure.trials .big")).to_have_text("50.0 %")
    expect(page.locator("table.revenue")).to_contain_text("19.00 USD")
    expect(page.locator("table.failed")).to_contain_text("no payment method")
    shot(page, "console-billing")
    page.screenshot(path=str(ARTIFACTS / "console-billing-full.png"), full_page=True)

    page.click("text=1 invoice owing 19.00 USD")
    page.click(f"text={unpaid.number}")
    page.fill("#id_amount", "19.00")
    page.fill("#id_reason", "Waived after a call")
    page.click("button:has-text('Issue credit note')")

    expect(page.locator(".messages")).to_contain_text("Credit note DUKA-CN-")
    expect(page.locator("td.due")).to_have_text("0.00 USD")
    shot(page, "console-credit-note")
    assert CreditNote.objects.get(invoice=unpaid).amount_minor == 1900
