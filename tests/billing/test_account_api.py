"""The business's own billing API on its host (``/api/v1/billing/``): what it shows and that the
figures are the billing run's, who may read and change it, plan changes, cancelling, saving a
payment method through the fake gateways, what a held business may still do, and that nothing
of another business is reachable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.models import (
    BillingAccount,
    CreditNote,
    Invoice,
    Plan,
    Subscription,
    SubscriptionAdjustment,
    SubscriptionStatus,
)
from billing.services.credit_notes import credit_note_issue
from billing.services.dunning import dunning_advance
from billing.services.invoicing import invoice_next_boundary
from billing.usage import usage_record
from devtools.billing_fakes.server import BillingFakes
from shared_apps.tenants.links import tenant_url
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role, User
from tenant_apps.catalog.models import Product
from tests.support.people import issue_api_key
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

SUBSCRIPTION = "billing-account:subscription-detail"


def _active(tenant: Tenant, plan: str = "growth", days_in: int = 10) -> Subscription:
    """``tenant`` active on ``plan`` in a month that started ``days_in`` days ago, its fee for
    this month already invoiced (the next boundary is the month's end)."""
    start = timezone.now() - timedelta(days=days_in)
    end = start + timedelta(days=30)
    Subscription.objects.filter(tenant=tenant).update(
        plan_id=Plan.objects.get(code=plan).pk,
        status=SubscriptionStatus.ACTIVE,
        trial_end=None,
        current_period_start=start,
        current_period_end=end,
        next_invoice_at=end,
        usage_from=start,
    )
    Tenant.objects.filter(pk=tenant.pk).update(status="active")
    return Subscription.objects.get(tenant=tenant)


def _sms(tenant: Tenant, quantity: int, key: str, capture: Any, days_ago: int = 1) -> None:
    with capture(execute=True):
        usage_record(
            tenant_id=tenant.pk,
            metric_code="sms_sent",
            idempotency_key=key,
            quantity=quantity,
            occurred_at=timezone.now() - timedelta(days=days_ago),
        )


def _first_invoice(tenant: Tenant) -> Invoice:
    """The invoice of the trial's end (Starter, KES 2,500 + 16 % VAT), issued a minute ago."""
    ended = timezone.now() - timedelta(minutes=1)
    subscription = Subscription.objects.get(tenant=tenant)
    Subscription.objects.filter(pk=subscription.pk).update(
        current_period_start=ended - timedelta(days=14),
        current_period_end=ended,
        trial_end=ended,
        next_invoice_at=ended,
        usage_from=ended - timedelta(days=14),
    )
    invoice = invoice_next_boundary(subscription_id=subscription.pk)
    assert invoice is not None
    return invoice


def _post(client: Client, route: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(tenant_path(route), body or {}, content_type="application/json")


# --- what it shows ---------------------------------------------------------------------------


def test_the_subscription_shows_plan_price_trial_entitlements_in_use_and_the_gateway(
    starter_shop: Tenant, starter_owner: Client
) -> None:
    response = starter_owner.get(tenant_path(SUBSCRIPTION))

    assert response.status_code == 200, response.content
    body = response.json()
    subscription = Subscription.objects.get(tenant=starter_shop)
    assert body["plan"] == {
        "code": "starter",
        "name": "Starter",
        "interval": "monthly",
        "price": {"amount": "2500.00", "currency": "KES"},
    }
    assert (body["status"], body["currency"], body["cancel_at_period_end"]) == (
        "trialing",
        "KES",
        False,
    )
    assert body["trial_end"] is not None and body["pending_plan"] is None
    assert body["next_invoice_at"] == body["trial_end"]
    assert subscription.trial_end is not None
    assert body["current_period_end"].startswith(subscription.trial_end.date().isoformat())
    limits = {limit["code"]: limit for limit in body["entitlements"]["limits"]}
    # Signup made one storefront, one till and the owner; no products yet.
    assert limits["stores"] == {"code": "stores", "name": "Stores", "allowed": 3, "in_use": 1}
    assert (limits["registers"]["in_use"], limits["staff_seats"]["in_use"]) == (1, 1)
    assert (limits["products"]["allowed"], limits["products"]["in_use"]) == (1000, 0)
    assert not any(feature["included"] for feature in body["entitlements"]["features"])
    # KES is collected by Paystack; nothing saved yet, and no secret of any kind.
    assert body["gateway"] == "paystack"
    assert body["payment_method"] == {"saved": False, "kind": "", "label": ""}


def test_usage_so_far_is_priced_per_charge_against_the_free_units(
    starter_shop: Tenant, starter_owner: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _active(starter_shop, plan="growth")
    _sms(starter_shop, 100, "sms-1", django_capture_on_commit_callbacks)
    _sms(starter_shop, 50, "sms-2", django_capture_on_commit_callbacks)
    # Before this period: already invoiced, not shown.
    _sms(starter_shop, 999, "sms-old", django_capture_on_commit_callbacks, days_ago=20)

    body = starter_owner.get(tenant_path("billing-account:usage-detail")).json()

    assert body["charged"] is True and body["currency"] == "KES"
    lines = {line["metric_code"]: line for line in body["lines"]}
    assert set(lines) == {"api_calls", "sales", "sms_sent"}
    # Growth: messages at KES 2.60, none free; 10,000 API calls and 10,000 sales free.
    assert (lines["sms_sent"]["units"], lines["sms_sent"]["amount_minor"]) == ("150.0000", 39000)
    assert lines["sms_sent"]["amount"] == {"amount": "390.00", "currency": "KES"}
    assert (lines["sales"]["free_units"], lines["sales"]["amount_minor"]) == ("0.0000", 0)
    assert (lines["sales"]["included"], lines["sms_sent"]["included"]) == ("10000.0000", "0.0000")
    assert lines["api_calls"]["amount_minor"] == 0
    assert body["amount_minor"] == 39000
    assert body["amount"] == {"amount": "390.00", "currency": "KES"}


def test_the_upcoming_invoice_is_what_the_billing_run_then_invoices_and_writes_nothing(
    starter_shop: Tenant, starter_owner: Client, django_capture_on_commit_callbacks: Any
) -> None:
    subscription = _active(starter_shop, plan="growth")
    _sms(starter_shop, 150, "sms-1", django_capture_on_commit_callbacks)
    before = (Invoice.objects.count(), Subscription.objects.get(pk=subscription.pk).updated_at)

    response = starter_owner.get(tenant_path("billing-account:upcoming-invoice-detail"))

    assert response.status_code == 200, response.content
    estimate = response.json()
    assert (Invoice.objects.count(), Subscription.objects.get(pk=subscription.pk).updated_at) == (
        before
    )
    # Growth's KES 6,500 for the next month in advance, this month's messages in arrears,
    # Kenyan VAT at 16 %.
    kinds = [
        (line["kind"], line["metric_code"], line["amount_minor"]) for line in estimate["lines"]
    ]
    assert kinds == [
        ("base_fee", "", 650000),
        ("usage", "api_calls", 0),
        ("usage", "sales", 0),
        ("usage", "sms_sent", 39000),
    ]
    assert (estimate["subtotal_minor"], estimate["tax_minor"], estimate["total_minor"]) == (
        689000,
        110240,
        799240,
    )
    assert estimate["total"] == {"amount": "7992.40", "currency": "KES"}
    assert (estimate["tax_name"], estimate["tax_rate"]) == ("VAT", "0.1600")
    assert estimate["plan"] == "growth"

    assert subscription.next_invoice_at is not None
    invoice = invoice_next_boundary(
        subscription_id=subscription.pk, now=subscription.next_invoice_at
    )

    assert invoice is not None
    assert [
        (line.kind, line.metric_code, line.amount_minor, line.description)
        for line in invoice.lines.order_by("position")
    ] == [
        (line["kind"], line["metric_code"], line["amount_minor"], line["description"])
        for line in estimate["lines"]
    ]
    assert (invoice.subtotal_minor, invoice.tax_minor, invoice.total_minor) == (
        estimate["subtotal_minor"],
        estimate["tax_minor"],
        estimate["total_minor"],
    )


def test_a_cancelled_subscription_has_no_upcoming_invoice(
    starter_shop: Tenant, starter_owner: Client
) -> None:
    Subscription.objects.filter(tenant=starter_shop).update(
        status=SubscriptionStatus.CANCELLED, next_invoice_at=None
    )

    response = starter_owner.get(tenant_path("billing-account:upcoming-invoice-detail"))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_upcoming_invoice"


def test_invoices_page_and_show_their_lines_credit_notes_and_pdfs(
    starter_shop: Tenant, starter_owner: Client
) -> None:
    invoice = _first_invoice(starter_shop)
    note = credit_note_issue(
        invoice_id=invoice.pk, amount_minor=50000, reason="Goodwill", issued_by="boss@duka.test"
    )

    page = starter_owner.get(tenant_path("billing-account:invoice-list") + "?limit=1").json()
    detail = starter_owner.get(
        tenant_path("billing-account:invoice-detail", invoice_id=invoice.pk)
    ).json()
    pdf = starter_owner.get(tenant_path("billing-account:invoice-pdf", invoice_id=invoice.pk))
    notes = starter_owner.get(tenant_path("billing-account:credit-note-list")).json()
    note_pdf = starter_owner.get(
        tenant_path("billing-account:credit-note-pdf", credit_note_id=note.pk)
    )

    assert (page["count"], page["next"], page["previous"]) == (1, None, None)
    (row,) = page["results"]
    assert (row["id"], row["number"], row["status"]) == (invoice.pk, invoice.number, "finalized")
    assert (row["total_minor"], row["amount_due_minor"]) == (290000, 240000)
    assert row["total"] == {"amount": "2900.00", "currency": "KES"}
    assert row["pdf"] == tenant_path("billing-account:invoice-pdf", invoice_id=invoice.pk)
    assert [(line["kind"], line["amount_minor"]) for line in detail["lines"]] == [
        ("base_fee", 250000)
    ]
    assert (detail["subtotal_minor"], detail["tax_minor"], detail["tax_name"]) == (
        250000,
        40000,
        "VAT",
    )
    assert detail["credited"] == {"amount": "500.00", "currency": "KES"}
    assert [n["number"] for n in detail["credit_notes"]] == [note.number]
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert notes["count"] == 1
    assert (notes["results"][0]["invoice"], notes["results"][0]["amount_minor"]) == (
        invoice.number,
        50000,
    )
    assert note_pdf.status_code == 200 and note_pdf.content.startswith(b"%PDF")


def test_plans_are_the_active_ones_priced_in_the_business_currency(
    starter_shop: Tenant, starter_owner: Client
) -> None:
    Plan.objects.create(code="legacy", name="Legacy", is_active=False)

    body = starter_owner.get(tenant_path("billing-account:plan-list")).json()

    by_code = {plan["code"]: plan for plan in body}
    assert set(by_code) == {"growth", "scale", "starter"}
    assert by_code["growth"]["price"] == {"amount": "6500.00", "currency": "KES"}
    assert [plan["code"] for plan in body if plan["current"]] == ["starter"]
    growth_limits = {limit["code"]: limit for limit in by_code["growth"]["limits"]}
    assert growth_limits["stores"] == {
        "code": "stores",
        "name": "Stores",
        "allowed": 10,
        "in_use": 1,
    }
    assert by_code["scale"]["limits"][0]["allowed"] is None
    assert all(f["included"] for f in by_code["growth"]["features"])
    sms = next(c for c in by_code["growth"]["charges"] if c["metric"] == "sms_sent")
    assert (sms["model"], sms["unit_amount"]) == ("standard", "2.600000")


# --- changing it -----------------------------------------------------------------------------


def test_a_plan_change_now_is_prorated_and_one_at_period_end_waits(
    starter_shop: Tenant, starter_owner: Client
) -> None:
    subscription = _active(starter_shop, plan="growth")

    later = _post(
        starter_owner, "billing-account:subscription-plan", {"plan": "scale", "when": "period_end"}
    )

    assert later.status_code == 200, later.content
    assert (later.json()["plan"]["code"], later.json()["pending_plan"]["code"]) == (
        "growth",
        "scale",
    )
    assert not SubscriptionAdjustment.objects.filter(subscription=subscription).exists()

    now = _post(
        starter_owner, "billing-account:subscription-plan", {"plan": "scale", "when": "now"}
    )

    assert now.status_code == 200, now.content
    assert (now.json()["plan"]["code"], now.json()["pending_plan"]) == ("scale", None)
    kinds = set(
        SubscriptionAdjustment.objects.filter(subscription=subscription).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"credit", "charge"}


@pytest.mark.parametrize(
    ("body", "status", "field", "code"),
    [
        ({"plan": "platinum", "when": "now"}, 400, "plan", "unknown_plan"),
        ({"plan": "growth", "when": "tomorrow"}, 400, "when", "invalid_choice"),
        ({"plan": "growth"}, 400, "when", "required"),
        ({"plan": "growth", "when": "now"}, 409, "plan", "plan_unchanged"),
    ],
)
def test_a_bad_plan_change_is_refused_and_changes_nothing(
    starter_shop: Tenant,
    starter_owner: Client,
    body: dict[str, str],
    status: int,
    field: str,
    code: str,
) -> None:
    before = _active(starter_shop, plan="growth")

    response = _post(starter_owner, "billing-account:subscription-plan", body)

    assert response.status_code == status, response.content
    assert response.json()["error"]["fields"][field][0]["code"] == code
    after = Subscription.objects.get(pk=before.pk)
    assert (after.plan_id, after.pending_plan_id, after.updated_at) == (
        before.plan_id,
        None,
        before.updated_at,
    )
    assert not SubscriptionAdjustment.objects.exists()


def test_cancel_at_period_end_and_reactivate(starter_shop: Tenant, starter_owner: Client) -> None:
    cancelled = _post(starter_owner, "billing-account:subscription-cancel")
    again = _post(starter_owner, "billing-account:subscription-cancel")
    reactivated = _post(starter_owner, "billing-account:subscription-reactivate")
    not_cancelled = _post(starter_owner, "billing-account:subscription-reactivate")

    assert cancelled.status_code == 200 and cancelled.json()["cancel_at_period_end"] is True
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_cancelled"
    assert reactivated.status_code == 200
    assert reactivated.json()["cancel_at_period_end"] is False
    assert not_cancelled.status_code == 409
    subscription = Subscription.objects.get(tenant=starter_shop)
    assert (subscription.status, subscription.cancel_at_period_end) == ("trialing", False)


# --- the payment method, through the fake gateways -------------------------------------------


def test_saving_mobile_money_through_paystack_returns_to_our_own_page(
    starter_shop: Tenant,
    starter_owner: Client,
    session_client: Callable[[Tenant, str], Client],
    billing_fakes: BillingFakes,
) -> None:
    # A caller-chosen address is ignored: the gateway sends the owner back to our own page.
    response = _post(
        starter_owner,
        "billing-account:payment-method-setup",
        {"return_url": "https://evil.example/steal", "callback_url": "https://evil.example"},
    )

    assert response.status_code == 200, response.content
    url = response.json()["url"]
    assert url.startswith(billing_fakes.paystack_api_base)
    account = BillingAccount.objects.get(tenant=starter_shop)
    ours = tenant_url(starter_shop, "billing-page:payment-method-return")
    assert billing_fakes.paystack.transactions[account.setup_reference]["callback_url"] == ours

    # The owner pays the verification amount on Paystack's page and is sent back to us.
    back = billing_fakes.paystack.pay(url.rsplit("/", 1)[1], method="mobile_money")
    assert back.startswith(ours + "?")
    browser = session_client(starter_shop, starter_shop.owner_email)
    returned = browser.get(back.removeprefix(ours.split("/billing/")[0]))

    assert returned.status_code == 302
    account.refresh_from_db()
    assert account.has_method and account.method_label.startswith("M-Pesa")
    shown = starter_owner.get(tenant_path(SUBSCRIPTION)).json()["payment_method"]
    assert shown == {"saved": True, "kind": account.method_kind, "label": account.method_label}
    assert "AUTH_" not in str(starter_owner.get(tenant_path(SUBSCRIPTION)).content)


def test_saving_a_card_through_stripe_checkout(
    make_tenant: Callable[..., Tenant],
    jwt_client: Callable[[Tenant, str], Client],
    session_client: Callable[[Tenant, str], Client],
    billing_fakes: BillingFakes,
) -> None:
    us_shop = make_tenant(country="US", currency="USD", time_zone="America/New_York")
    owner = jwt_client(us_shop, us_shop.owner_email)

    response = _post(owner, "billing-account:payment-method-setup")

    assert response.status_code == 200, response.content
    assert response.json()["url"].startswith(billing_fakes.settings()["STRIPE_API_BASE"])
    account = BillingAccount.objects.get(tenant=us_shop)
    assert account.gateway == "stripe"
    billing_fakes.stripe.complete_checkout(account.setup_reference, "4242424242424242")
    page = session_client(us_shop, us_shop.owner_email)
    page.get(tenant_path("billing-page:payment-method-return"))

    shown = owner.get(tenant_path(SUBSCRIPTION)).json()
    assert shown["gateway"] == "stripe"
    assert shown["payment_method"] == {"saved": True, "kind": "card", "label": "Visa •••• 4242"}


def test_a_gateway_that_does_not_answer_is_a_502_in_the_error_shape(
    starter_owner: Client, billing_fakes: BillingFakes
) -> None:
    billing_fakes.paystack.fail_next(5, status=500)

    response = _post(starter_owner, "billing-account:payment-method-setup")

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "gateway_unavailable"


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        (Role.OWNER, 200, 200),
        (Role.ACCOUNTANT, 200, 403),
        (Role.MANAGER, 403, 403),
        (Role.CASHIER, 403, 403),
        (Role.ANALYST, 403, 403),
        (Role.WAREHOUSE, 403, 403),
    ],
)
def test_owners_change_billing_accountants_read_it_and_no_one_else_sees_it(
    starter_shop: Tenant,
    member: Callable[..., User],
    jwt_client: Callable[[Tenant, str], Client],
    role: str,
    read: int,
    write: int,
) -> None:
    email = starter_shop.owner_email if role == Role.OWNER else member(starter_shop, role).email
    client = jwt_client(starter_shop, email)

    reads = [
        client.get(tenant_path(name)).status_code
        for name in (
            SUBSCRIPTION,
            "billing-account:usage-detail",
            "billing-account:upcoming-invoice-detail",
            "billing-account:invoice-list",
            "billing-account:credit-note-list",
            "billing-account:plan-list",
        )
    ]
    cancel = _post(client, "billing-account:subscription-cancel")

    assert reads == [read] * 6
    assert cancel.status_code == write
    if write == 403:
        assert cancel.json()["error"]["code"] == "permission_denied"
        assert not Subscription.objects.get(tenant=starter_shop).cancel_at_period_end


def test_an_api_key_never_reaches_billing_whatever_its_scopes(
    starter_shop: Tenant, tenant_client: Callable[[Tenant], Client]
) -> None:
    # API keys need a plan with API access.
    Subscription.objects.filter(tenant=starter_shop).update(
        plan_id=Plan.objects.get(code="growth").pk
    )
    key = issue_api_key(starter_shop, ["business:read", "ledger:write", "reports:read"])
    client = tenant_client(starter_shop)
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {key}"

    assert client.get(tenant_path(SUBSCRIPTION)).status_code == 403
    assert _post(client, "billing-account:subscription-cancel").status_code == 403


def test_signed_out_is_401(starter_shop: Tenant, tenant_client: Callable[[Tenant], Client]) -> None:
    assert tenant_client(starter_shop).get(tenant_path(SUBSCRIPTION)).status_code == 401


# --- another business ------------------------------------------------------------------------


@pytest.fixture
def victim(make_tenant: Callable[..., Tenant], billing_fakes: BillingFakes) -> Tenant:
    """Business A: an invoice, a credit note, usage and a saved payment method."""
    tenant = make_tenant(business_name="Victim Shop", slug="victim-shop")
    invoice = _first_invoice(tenant)
    credit_note_issue(
        invoice_id=invoice.pk, amount_minor=1000, reason="Sorry", issued_by="boss@duka.test"
    )
    BillingAccount.objects.create(
        tenant=tenant,
        gateway="paystack",
        customer_id="CUS_victim",
        method_token="AUTH_victimsecret",
        method_kind="mobile_money",
        method_label="M-Pesa •••• 0123",
    )
    return tenant


def test_another_business_invoices_pdfs_and_notes_are_404_through_its_own_host(
    victim: Tenant,
    starter_shop: Tenant,
    starter_owner: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    invoice = Invoice.objects.get(tenant=victim)
    note = CreditNote.objects.get(tenant=victim)
    _sms(victim, 500, "victim-sms", django_capture_on_commit_callbacks)

    answers = [
        starter_owner.get(tenant_path("billing-account:invoice-detail", invoice_id=invoice.pk)),
        starter_owner.get(tenant_path("billing-account:invoice-pdf", invoice_id=invoice.pk)),
        starter_owner.get(tenant_path("billing-account:credit-note-pdf", credit_note_id=note.pk)),
    ]
    lists = [
        starter_owner.get(tenant_path("billing-account:invoice-list")).json()["count"],
        starter_owner.get(tenant_path("billing-account:credit-note-list")).json()["count"],
    ]
    usage = starter_owner.get(tenant_path("billing-account:usage-detail")).json()
    method = starter_owner.get(tenant_path(SUBSCRIPTION)).json()["payment_method"]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert all(a["Content-Type"] == "application/json" for a in answers)
    assert answers[0].json()["error"]["code"] == "invoice_not_found"
    assert lists == [0, 0]
    assert all(line["units"] == "0.0000" for line in usage["lines"])
    assert method == {"saved": False, "kind": "", "label": ""}


def test_another_business_token_or_session_is_refused_on_the_victim_host(
    victim: Tenant,
    starter_shop: Tenant,
    starter_owner: Client,
    session_client: Callable[[Tenant, str], Client],
    tenant_client: Callable[[Tenant], Client],
) -> None:
    invoice = Invoice.objects.get(tenant=victim)
    # B's own token, sent to A's host.
    token = starter_owner.defaults["HTTP_AUTHORIZATION"]
    on_victim = tenant_client(victim)
    on_victim.defaults["HTTP_AUTHORIZATION"] = token
    # B's session cookie, sent to A's host.
    cookie = session_client(starter_shop, starter_shop.owner_email).cookies
    with_cookie = tenant_client(victim)
    with_cookie.cookies = cookie

    for client in (on_victim, with_cookie):
        for path in (
            tenant_path("billing-account:invoice-detail", invoice_id=invoice.pk),
            tenant_path("billing-account:invoice-pdf", invoice_id=invoice.pk),
            tenant_path("billing-account:usage-detail"),
            tenant_path(SUBSCRIPTION),
        ):
            response = client.get(path)
            assert response.status_code in (401, 403), (path, response.status_code)
            assert b"M-Pesa" not in response.content and b"%PDF" not in response.content
        refused = _post(client, "billing-account:payment-method-setup")
        assert refused.status_code in (401, 403)
    assert BillingAccount.objects.get(tenant=victim).setup_reference == ""


# --- while billing holds the business ---------------------------------------------------------


@pytest.fixture
def held_shop(starter_shop: Tenant) -> Tenant:
    """Suspended: its first invoice unpaid and past due for nine days."""
    subscription = Subscription.objects.get(tenant=starter_shop)
    assert subscription.trial_end is not None
    invoice_next_boundary(subscription_id=subscription.pk, now=subscription.trial_end)
    Subscription.objects.filter(pk=subscription.pk).update(
        status=SubscriptionStatus.PAST_DUE, past_due_since=timezone.now() - timedelta(days=9)
    )
    Tenant.objects.filter(pk=starter_shop.pk).update(status="past_due")
    dunning_advance()
    starter_shop.refresh_from_db()
    assert starter_shop.status == "suspended"
    return starter_shop


def test_a_suspended_business_reads_and_sets_up_payment_but_other_writes_are_402(
    held_shop: Tenant,
    jwt_client: Callable[[Tenant, str], Client],
    billing_fakes: BillingFakes,
) -> None:
    owner = jwt_client(held_shop, held_shop.owner_email)
    before = Subscription.objects.get(tenant=held_shop)

    reads = [
        owner.get(tenant_path(name)).status_code
        for name in (
            SUBSCRIPTION,
            "billing-account:usage-detail",
            "billing-account:invoice-list",
            "billing-account:plan-list",
        )
    ]
    setup = _post(owner, "billing-account:payment-method-setup")
    change = _post(owner, "billing-account:subscription-plan", {"plan": "growth", "when": "now"})
    cancel = _post(owner, "billing-account:subscription-cancel")
    product = owner.post(
        tenant_path("catalog:product-list"),
        {"name": "Soda", "sku": "SODA", "price": "50.00", "unit": 1},
        content_type="application/json",
    )

    assert reads == [200, 200, 200, 200]
    assert owner.get(tenant_path(SUBSCRIPTION)).json()["status"] == "suspended"
    assert setup.status_code == 200 and setup.json()["url"].startswith(
        billing_fakes.paystack_api_base
    )
    for refused in (change, cancel, product):
        assert refused.status_code == 402, refused.content
        assert refused.json()["error"]["code"] == "subscription_suspended"
    after = Subscription.objects.get(tenant=held_shop)
    assert (after.plan_id, after.cancel_at_period_end, after.status) == (
        before.plan_id,
        False,
        "suspended",
    )
    assert not SubscriptionAdjustment.objects.exists()
    with schema_context(held_shop.schema_name):
        assert not Product.objects.exists()


def test_a_subscription_cancelled_for_non_payment_is_not_reactivated_by_asking(
    held_shop: Tenant, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    Subscription.objects.filter(tenant=held_shop).update(
        past_due_since=timezone.now() - timedelta(days=31)
    )
    dunning_advance()
    owner = jwt_client(held_shop, held_shop.owner_email)

    response = _post(owner, "billing-account:subscription-reactivate")

    assert response.status_code == 402
    assert response.json()["error"]["code"] == "subscription_cancelled"
    held_shop.refresh_from_db()
    assert held_shop.status == "cancelled"
    assert Subscription.objects.get(tenant=held_shop).status == "cancelled"
