"""M-Pesa at the till through the payment sandbox: the waiting screen follows the payment to
completion; a push the customer cancels is then paid in cash from the same screen. The
sandbox records its callbacks and the test posts them to the business's host, as Safaricom
would (tests/sales/test_mobile_money.py does the same without a browser)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django_tenants.utils import schema_context, tenant_context
from playwright.sync_api import Page, expect

from devtools.payments_sandbox import Sandbox, start_sandbox
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_domain_for
from tenant_apps.catalog.barcodes import with_check_digit
from tenant_apps.payments.models import Payment
from tenant_apps.payments.seeding import sandbox_accounts_install
from tenant_apps.sales.models import Sale
from tests.e2e.till import Shop, log_in, open_till, scan, shot, stock_up
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SODA = with_check_digit("600555000111")


@pytest.fixture
def tenant(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant(business_name="Soda Corner", slug="soda-corner")


@pytest.fixture
def daraja(tenant: Tenant) -> Iterator[Sandbox]:
    server = start_sandbox(port=0, deliver=False)
    with schema_context(tenant.schema_name):
        sandbox_accounts_install(server.url)
    try:
        yield server
    finally:
        server.stop()


def _callback_arrives(tenant: Tenant, daraja: Sandbox, count: int) -> None:
    """Waits for the sandbox's answer to the push and posts it to our host."""
    assert wait_until(lambda: len(daraja.callbacks("mpesa")) >= count, timeout=20)
    callback = daraja.callbacks("mpesa")[count - 1]
    gateway = Client(HTTP_HOST=tenant_domain_for(tenant.slug))
    answer = gateway.post(
        urlsplit(callback["url"]).path, callback["body"], content_type="application/json"
    )
    assert answer.status_code == 200


def _pay_by_mpesa(page: Page, payer: str) -> None:
    page.keyboard.press("F4")
    page.select_option("#tenders .method", "mpesa")
    page.fill("#tenders .payer", payer)
    page.keyboard.press("Enter")
    expect(page.locator("#payment-state")).to_have_attribute("data-status", "waiting")


def test_mpesa_waits_then_completes_and_a_cancelled_push_is_paid_in_cash(
    page: Page, tenant: Tenant, daraja: Sandbox, shop_of: Callable[[Tenant], Shop]
) -> None:
    stock_up(tenant, "Soda 500ml", "SODA-500", price="100", quantity="10", barcode=SODA)
    log_in(page, shop_of(tenant), tenant.owner_email)
    open_till(page)

    scan(page, SODA)
    scan(page, SODA)
    _pay_by_mpesa(page, "0712345670")  # the sandbox's payer …0 pays
    shot(page, "20-mpesa-waiting")
    _callback_arrives(tenant, daraja, 1)
    expect(page.locator("#dialog[data-name=receipt]")).to_be_visible(timeout=20_000)
    expect(page.locator("#receipt-view [data-total]")).to_have_text("200.00")
    shot(page, "21-mpesa-receipt")
    page.keyboard.press("Enter")

    scan(page, SODA)
    _pay_by_mpesa(page, "0712345671")  # …1 cancels on the phone
    _callback_arrives(tenant, daraja, 2)
    expect(page.locator("#payment-state")).to_have_attribute(
        "data-status", "failed", timeout=20_000
    )
    shot(page, "22-mpesa-cancelled")
    page.fill("#cash-instead", "150")
    page.click("#take-cash")
    expect(page.locator("#dialog[data-name=receipt]")).to_be_visible()
    expect(page.locator("#receipt-view [data-change]")).to_have_text("50.00")

    with tenant_context(tenant):
        first, second = Sale.objects.order_by("receipt_number")
        assert (first.status, first.receipt_number, first.total.amount) == (
            "completed",
            1,
            Decimal("200.00"),
        )
        assert [t.method for t in first.tenders.all()] == ["mpesa"]
        assert (second.status, second.receipt_number) == ("completed", 2)
        # The cancelled push's tender became the cash one; the payment stays on record.
        assert [(t.method, t.status) for t in second.tenders.all()] == [("cash", "settled")]
        assert Payment.objects.get(purpose_ref=str(second.uuid)).status == "failed"


def test_airtel_checked_now_and_an_unknown_mpesa_outcome_asked_again(
    page: Page, tenant: Tenant, daraja: Sandbox, shop_of: Callable[[Tenant], Shop]
) -> None:
    stock_up(tenant, "Soda 500ml", "SODA-500", price="100", quantity="10", barcode=SODA)
    log_in(page, shop_of(tenant), tenant.owner_email)
    open_till(page)

    # Airtel: the sandbox's payer …2 sends no callback; asked, it answers "in progress" and
    # then "succeeded". While it waits, the till offers only to check (the server replaces
    # only a payment that failed).
    scan(page, SODA)
    page.keyboard.press("F4")
    page.select_option("#tenders .method", "airtel")
    page.fill("#tenders .payer", "0733123452")
    page.keyboard.press("Enter")
    state = page.locator("#payment-state")
    expect(state).to_have_attribute("data-status", "waiting")
    expect(state).to_contain_text("Airtel Money: waiting for 0733123452 to approve 100.00")
    expect(page.locator("#take-cash")).to_be_hidden()
    expect(page.locator("#ask-again")).to_be_hidden()
    shot(page, "23-airtel-waiting")
    page.click("#check-now")  # in progress
    expect(page.locator("#payment-detail")).to_contain_text("no outcome yet")
    expect(state).to_have_attribute("data-status", "waiting")
    page.click("#check-now")  # succeeded
    expect(page.locator("#dialog[data-name=receipt]")).to_be_visible()
    page.locator("#scan").fill("")  # a click closed the last dialog: a fill gives the keys back
    page.keyboard.press("Enter")

    # M-Pesa: payer …5 answers 1037 (the phone could not be reached), so the outcome is
    # unknown; asking again queries M-Pesa, which says it was paid.
    scan(page, SODA)
    _pay_by_mpesa(page, "0712345675")
    _callback_arrives(tenant, daraja, 1)
    expect(state).to_have_attribute("data-status", "unknown", timeout=20_000)
    expect(state).to_contain_text("the outcome is unknown")
    expect(page.locator("#take-cash")).to_be_hidden()
    shot(page, "24-mpesa-unknown")
    page.click("#ask-again")
    expect(page.locator("#dialog[data-name=receipt]")).to_be_visible()
    expect(page.locator("#receipt-view [data-total]")).to_have_text("100.00")

    with tenant_context(tenant):
        airtel_sale, mpesa_sale = Sale.objects.order_by("receipt_number")
        assert [(t.method, t.status) for t in airtel_sale.tenders.all()] == [("airtel", "settled")]
        assert [(t.method, t.status) for t in mpesa_sale.tenders.all()] == [("mpesa", "settled")]
        assert mpesa_sale.status == "completed"
        assert [p.status for p in Payment.objects.order_by("pk")] == ["succeeded", "succeeded"]
