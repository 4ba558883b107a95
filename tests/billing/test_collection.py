"""Charging invoices through the gateways' fakes: saved methods, one charge per invoice however
often it is tried, dunning retries, reactivation by payment, webhooks in any order, and the
daily reconciliation. Every charge is checked against the fake gateway's own record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import tenant_context

from billing.emails import send_dunning_email
from billing.gateways.base import GatewayError
from billing.gateways.registry import gateway_named
from billing.models import (
    AttemptStatus,
    BillingAccount,
    GatewayEvent,
    Invoice,
    InvoiceStatus,
    PaymentAttempt,
    ReconciliationMismatch,
    Subscription,
    SubscriptionStatus,
)
from billing.services.accounts import account_finish_setup, account_start_setup
from billing.services.collection import charge_description, invoice_collect
from billing.services.dunning import dunning_advance
from billing.services.invoicing import invoice_next_boundary
from billing.services.reconciliation import reconcile
from billing.services.webhooks import webhook_process
from devtools.billing_fakes.core import Delivery
from devtools.billing_fakes.server import BillingFakes
from shared_apps.tenants.models import Tenant
from tenant_apps.notifications.models import Notification
from tests.support.billing import RETURN_URL, end_trials, save_card, save_mobile_money
from tests.support.urls import root_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def us_shop(make_tenant: Callable[..., Tenant]) -> Tenant:
    """A business billed in USD: collected by Stripe."""
    return make_tenant(country="US", currency="USD", time_zone="America/New_York")


@pytest.fixture
def ke_shop(make_tenant: Callable[..., Tenant]) -> Tenant:
    """A business billed in KES: collected by Paystack."""
    return make_tenant(country="KE", currency="KES", time_zone="Africa/Nairobi")


def _first_invoice(tenant: Tenant) -> Invoice:
    """The invoice of the trial's end, the trial having ended a minute ago."""
    end_trials(tenant)
    invoice = invoice_next_boundary(subscription_id=Subscription.objects.get(tenant=tenant).pk)
    assert invoice is not None
    return invoice


def _post(client: Client, gateway: str, delivery: Delivery) -> Any:
    headers = {k: v for k, v in delivery.headers.items() if k.lower() != "content-type"}
    return client.post(
        root_path(f"billing-webhooks:webhook-{gateway}"),
        data=delivery.body,
        content_type="application/json",
        headers=headers,
    )


def test_a_card_saved_through_stripe_checkout_pays_the_first_invoice_once(
    us_shop: Tenant, billing_fakes: BillingFakes
) -> None:
    account = save_card(us_shop, billing_fakes)
    invoice = _first_invoice(us_shop)

    attempt = invoice_collect(invoice_id=invoice.pk)
    again = invoice_collect(invoice_id=invoice.pk)

    assert account.method_label == "Visa •••• 4242"
    assert attempt is not None and attempt.status == AttemptStatus.SUCCEEDED
    assert again is None
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    (charge,) = billing_fakes.stripe.charges_for(f"inv-{invoice.pk}")
    assert (charge["amount_minor"], charge["currency"].upper()) == (1900, "USD")


def test_a_worker_lost_after_the_gateway_charged_is_rerun_without_a_second_charge(
    us_shop: Tenant, billing_fakes: BillingFakes
) -> None:
    account = save_card(us_shop, billing_fakes)
    invoice = _first_invoice(us_shop)
    # Two: the Stripe client retries a failed call once.
    billing_fakes.stripe.fail_next(2, status=500)
    with pytest.raises(GatewayError):
        invoice_collect(invoice_id=invoice.pk)
    (pending,) = PaymentAttempt.objects.filter(invoice=invoice)
    assert pending.status == AttemptStatus.PENDING
    # The call of a worker that died before recording the answer reached the gateway.
    gateway_named("stripe").charge(
        customer_id=account.customer_id,
        method_token=account.method_token,
        email=us_shop.owner_email,
        amount_minor=pending.amount_minor,
        currency=pending.currency,
        reference=pending.reference,
        description=charge_description(invoice.number or ""),
    )

    rerun = invoice_collect(invoice_id=invoice.pk)

    assert rerun is not None and rerun.pk == pending.pk
    assert rerun.status == AttemptStatus.SUCCEEDED
    assert len(billing_fakes.stripe.charges_for(pending.reference)) == 1
    assert PaymentAttempt.objects.filter(invoice=invoice).count() == 1


def test_a_declined_card_makes_the_business_past_due_and_a_retry_that_succeeds_reactivates_it(
    us_shop: Tenant, billing_fakes: BillingFakes, django_capture_on_commit_callbacks: Any
) -> None:
    account = save_card(us_shop, billing_fakes)
    billing_fakes.stripe.set_method_behaviour(account.method_token, "decline")
    invoice = _first_invoice(us_shop)

    with django_capture_on_commit_callbacks(execute=True):
        failed = invoice_collect(invoice_id=invoice.pk)

    assert failed is not None and failed.status == AttemptStatus.FAILED
    assert failed.failure_code
    subscription = Subscription.objects.get(tenant=us_shop)
    us_shop.refresh_from_db()
    assert (subscription.status, us_shop.status) == ("past_due", "past_due")
    invoice.refresh_from_db()
    assert subscription.past_due_since is not None
    assert invoice.next_attempt_at == subscription.past_due_since + timedelta(days=1)
    assert "could not charge USD 19.00" in mail.outbox[-1].body
    # The dunning e-mail went through the notifications' e-mail channel, logged in the
    # business's own log, and a second call for the same attempt sends nothing more.
    sent = len(mail.outbox)
    send_dunning_email(invoice_id=invoice.pk)
    assert len(mail.outbox) == sent
    with tenant_context(us_shop):
        (logged,) = Notification.objects.filter(kind="dunning")
    assert (logged.status, logged.recipient) == ("sent", us_shop.owner_email)
    # Not before its day.
    assert invoice_collect(invoice_id=invoice.pk) is None

    billing_fakes.stripe.set_method_behaviour(account.method_token, "succeed")
    paid = invoice_collect(invoice_id=invoice.pk, now=invoice.next_attempt_at)

    assert paid is not None and paid.status == AttemptStatus.SUCCEEDED
    assert paid.reference == f"inv-{invoice.pk}-r2"
    subscription.refresh_from_db()
    us_shop.refresh_from_db()
    assert (subscription.status, us_shop.status, subscription.past_due_since) == (
        "active",
        "active",
        None,
    )


def test_retries_follow_the_schedule_then_stop(
    us_shop: Tenant, billing_fakes: BillingFakes
) -> None:
    account = save_card(us_shop, billing_fakes)
    billing_fakes.stripe.set_method_behaviour(account.method_token, "decline")
    invoice = _first_invoice(us_shop)

    invoice_collect(invoice_id=invoice.pk)
    first_failure = Subscription.objects.get(tenant=us_shop).past_due_since
    assert first_failure is not None
    seen = []
    for _ in range(4):
        invoice.refresh_from_db()
        assert invoice.next_attempt_at is not None
        seen.append((invoice.next_attempt_at - first_failure).days)
        invoice_collect(invoice_id=invoice.pk, now=invoice.next_attempt_at)
    invoice.refresh_from_db()

    assert seen == [1, 3, 5, 7]
    assert invoice.next_attempt_at is None
    assert PaymentAttempt.objects.filter(invoice=invoice, status="failed").count() == 5


def test_no_payment_method_is_a_failed_attempt_without_a_gateway_call(
    us_shop: Tenant, billing_fakes: BillingFakes
) -> None:
    invoice = _first_invoice(us_shop)

    attempt = invoice_collect(invoice_id=invoice.pk)

    assert attempt is None
    (recorded,) = PaymentAttempt.objects.filter(invoice=invoice)
    assert (recorded.status, recorded.failure_code) == ("failed", "no_payment_method")
    assert billing_fakes.stripe.charges == []
    assert Subscription.objects.get(tenant=us_shop).status == "past_due"


def test_a_suspended_business_that_saves_a_method_pays_and_is_active_again(
    ke_shop: Tenant, billing_fakes: BillingFakes, django_capture_on_commit_callbacks: Any
) -> None:
    invoice = _first_invoice(ke_shop)
    invoice_collect(invoice_id=invoice.pk)  # no method yet: past due
    Subscription.objects.filter(tenant=ke_shop).update(
        past_due_since=invoice.finalized_at - timedelta(days=9)  # type: ignore[operator]
    )
    dunning_advance()
    ke_shop.refresh_from_db()
    assert ke_shop.status == "suspended"

    account = save_mobile_money(ke_shop, billing_fakes)
    invoice.refresh_from_db()
    assert invoice.next_attempt_at is not None  # due at once
    invoice_collect(invoice_id=invoice.pk)

    invoice.refresh_from_db()
    ke_shop.refresh_from_db()
    assert account.method_kind == "mobile_money"
    assert (invoice.status, ke_shop.status) == ("paid", "active")
    (charge,) = [c for c in billing_fakes.paystack.charges if c["reference"].startswith("inv-")]
    assert (charge["amount_minor"], charge["currency"]) == (290000, "KES")


def test_paystack_setup_payment_is_refunded_once(
    ke_shop: Tenant, billing_fakes: BillingFakes
) -> None:
    session = account_start_setup(tenant=ke_shop, return_url=RETURN_URL)
    billing_fakes.paystack.pay(session.url.rsplit("/", 1)[1])

    account_finish_setup(gateway="paystack", reference=session.reference)
    account_finish_setup(gateway="paystack", reference=session.reference)

    refunds = [r for r in billing_fakes.requests() if r["path"].endswith("/refund")]
    assert len(refunds) == 1


# --- webhooks ---------------------------------------------------------------------------------


def test_a_stripe_success_webhook_pays_the_invoice_once_however_often_it_comes(
    us_shop: Tenant, billing_fakes: BillingFakes, root_client: Client
) -> None:
    save_card(us_shop, billing_fakes)
    invoice = _first_invoice(us_shop)
    invoice_collect(invoice_id=invoice.pk)
    (succeeded,) = billing_fakes.stripe.events("payment_intent.succeeded")
    # The answer of the call was lost: only the webhook tells.
    Invoice.objects.filter(pk=invoice.pk).update(status="finalized", paid_at=None)
    PaymentAttempt.objects.filter(invoice=invoice).update(status="pending")

    first = _post(root_client, "stripe", succeeded)
    replay = _post(root_client, "stripe", succeeded)

    assert (first.status_code, replay.status_code) == (200, 200)
    assert replay.json()["duplicate"] is True
    (event,) = GatewayEvent.objects.all()
    assert webhook_process(event_pk=event.pk) == "attempt succeeded"
    assert webhook_process(event_pk=event.pk) == "already processed"
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_a_failure_event_arriving_after_the_success_changes_nothing(
    us_shop: Tenant, billing_fakes: BillingFakes, root_client: Client
) -> None:
    account = save_card(us_shop, billing_fakes)
    invoice = _first_invoice(us_shop)
    invoice_collect(invoice_id=invoice.pk)
    intent = {
        "id": "pi_late",
        "object": "payment_intent",
        "amount": 1900,
        "currency": "usd",
        "customer": account.customer_id,
        "metadata": {"reference": f"inv-{invoice.pk}"},
        "status": "requires_payment_method",
        "last_payment_error": {"code": "card_declined", "decline_code": "generic_decline"},
    }
    late = billing_fakes.stripe.delivery("payment_intent.payment_failed", intent, created=1)

    assert _post(root_client, "stripe", late).status_code == 200
    webhook_process(event_pk=GatewayEvent.objects.get().pk)

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert Subscription.objects.get(tenant=us_shop).status == SubscriptionStatus.ACTIVE


@pytest.mark.parametrize("kind", ["forged", "stale", "malformed", "unsigned"])
def test_a_bad_stripe_webhook_is_a_400_and_stores_nothing(
    billing_fakes: BillingFakes, root_client: Client, kind: str
) -> None:
    good = billing_fakes.stripe.delivery("payment_intent.succeeded", {"id": "pi_x", "metadata": {}})
    delivery = {
        "forged": billing_fakes.stripe.forged(good),
        "stale": billing_fakes.stripe.stale(good),
        "malformed": Delivery(b"{not json", billing_fakes.stripe.sign(b"{not json")),
        "unsigned": Delivery(good.body, {"Content-Type": "application/json"}),
    }[kind]

    response = _post(root_client, "stripe", delivery)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_webhook"
    assert not GatewayEvent.objects.exists()


def test_a_forged_paystack_webhook_is_a_400(
    billing_fakes: BillingFakes, root_client: Client
) -> None:
    good = billing_fakes.paystack.delivery("charge.success", {"id": 1, "reference": "inv_1"})

    response = _post(root_client, "paystack", billing_fakes.paystack.forged(good))

    assert response.status_code == 400
    assert not GatewayEvent.objects.exists()


def test_a_paystack_success_webhook_the_gateway_does_not_confirm_pays_nothing(
    ke_shop: Tenant, billing_fakes: BillingFakes, root_client: Client
) -> None:
    save_mobile_money(ke_shop, billing_fakes)
    account = BillingAccount.objects.get(tenant=ke_shop)
    billing_fakes.paystack.set_authorization_behaviour(account.method_token, "decline")
    invoice = _first_invoice(ke_shop)
    invoice_collect(invoice_id=invoice.pk)
    reference = f"inv-{invoice.pk}"
    # A "success" claiming the failed charge went through, correctly signed: Verify says no.
    claim = billing_fakes.paystack.delivery(
        "charge.success",
        {
            "id": 999,
            "reference": reference,
            "status": "success",
            "amount": 290000,
            "currency": "KES",
        },
    )

    assert _post(root_client, "paystack", claim).status_code == 200
    webhook_process(event_pk=GatewayEvent.objects.get().pk)

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.FINALIZED


# --- reconciliation ---------------------------------------------------------------------------


def test_reconciliation_lists_an_invoice_the_gateway_disagrees_with(
    ke_shop: Tenant, billing_fakes: BillingFakes
) -> None:
    save_mobile_money(ke_shop, billing_fakes)
    invoice = _first_invoice(ke_shop)
    invoice_collect(invoice_id=invoice.pk)
    assert reconcile() == []
    billing_fakes.paystack.set_transaction(f"inv-{invoice.pk}", status="failed")

    found = reconcile()
    reconcile()  # the same day again: listed once

    (mismatch,) = ReconciliationMismatch.objects.all()
    assert len(found) == 1
    assert mismatch.invoice_id == invoice.pk
    assert mismatch.theirs.startswith("failed")
    assert "paid here" in mismatch.detail
