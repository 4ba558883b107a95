"""Platform owners' figures (``billing/figures.py``, ``/api/v1/console/billing/figures/`` and
the console's billing page), from a platform built through the real services: signups, trials
ending at the billing run, charges through the gateways' fakes, a failed charge, a yearly plan,
a cancellation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing import figures
from billing.models import (
    Invoice,
    InvoiceStatus,
    ReconciliationMismatch,
    Subscription,
    SubscriptionStatus,
)
from billing.services.catalog import plan_create
from billing.services.subscriptions import subscription_cancel, subscription_change_plan
from billing.usage import usage_record
from devtools.billing_fakes.server import BillingFakes
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import User
from tests.support.billing import bill_next_boundary, save_card, save_mobile_money
from tests.support.tenants import STRONG_PASSWORD
from tests.support.urls import root_path

pytestmark = pytest.mark.django_db

FIGURES = root_path("billing-console:figures-report")


@dataclass
class Platform:
    us_paid: Tenant
    ke_paid: Tenant
    us_unpaid: Tenant
    us_yearly: Tenant
    trialing: Tenant
    cancelled_trial: Tenant

    def first_invoice(self, tenant: Tenant) -> Invoice:
        return Invoice.objects.filter(tenant=tenant).order_by("issued_for").first()  # type: ignore[return-value]


@pytest.fixture
def platform(make_tenant: Callable[..., Tenant], billing_fakes: BillingFakes) -> Platform:
    """Six businesses signed up now on Starter's 14-day trial (USD 19 / KES 2,500 a month),
    each taken by the billing run an hour after its trial ends:

    - us_paid: a card at Stripe, the first invoice paid (USD 19.00);
    - ke_paid: mobile money at Paystack, paid (KES 2,500 + 16 % VAT = KES 2,900.00);
    - us_unpaid: no payment method, the charge failed: past due, owing USD 19.00;
    - us_yearly: moved during its trial to a yearly plan of USD 120, paid by card;
    - trialing: still in its trial (the run has not reached it);
    - cancelled_trial: cancelled during its trial, so it ended there without an invoice.
    """
    plan_create(
        code="annual", name="Annual", interval="yearly", trial_days=14, prices={"USD": Decimal(120)}
    )

    def us(name: str) -> Tenant:
        return make_tenant(
            business_name=name, country="US", currency="USD", time_zone="America/New_York"
        )

    us_paid, us_unpaid, us_yearly = us("US Paid"), us("US Unpaid"), us("US Yearly")
    trialing, cancelled_trial = us("Still Trialing"), us("Cancelled Trial")
    ke_paid = make_tenant(business_name="KE Paid")
    save_card(us_paid, billing_fakes)
    save_card(us_yearly, billing_fakes)
    save_mobile_money(ke_paid, billing_fakes)
    subscription_change_plan(tenant=us_yearly, plan_code="annual")
    subscription_cancel(tenant=cancelled_trial)
    for tenant in (us_paid, ke_paid, us_unpaid, us_yearly):
        invoice = bill_next_boundary(tenant)
        assert invoice is not None
    assert bill_next_boundary(cancelled_trial) is None
    return Platform(us_paid, ke_paid, us_unpaid, us_yearly, trialing, cancelled_trial)


Recorder = Callable[..., None]


@pytest.fixture
def record_usage(django_capture_on_commit_callbacks: Any) -> Recorder:
    """``usage_record`` as in production: its insert runs once the caller's transaction
    commits, which inside a test is when the callbacks are run."""

    def record(**event: Any) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            usage_record(**event)

    return record


def _trial_days(platform: Platform) -> tuple[date, date]:
    """A period holding every trial's end and the charges an hour later."""
    trial_end = Subscription.objects.get(tenant=platform.us_paid).trial_end
    assert trial_end is not None
    day = trial_end.date()
    return day - timedelta(days=1), day + timedelta(days=1)


def test_the_scenario_is_what_the_figures_are_read_from(platform: Platform) -> None:
    statuses = dict(Subscription.objects.values_list("tenant__slug", "status"))
    assert statuses == {
        platform.us_paid.slug: "active",
        platform.ke_paid.slug: "active",
        platform.us_unpaid.slug: "past_due",
        platform.us_yearly.slug: "active",
        platform.trialing.slug: "trialing",
        platform.cancelled_trial.slug: "cancelled",
    }
    assert platform.first_invoice(platform.ke_paid).total_minor == 290_000
    assert platform.first_invoice(platform.us_yearly).total_minor == 12_000


def test_mrr_counts_active_and_past_due_base_fees_per_currency_a_yearly_fee_as_a_twelfth(
    platform: Platform,
) -> None:
    found = {row.currency: row for row in figures.recurring_revenue()}

    assert set(found) == {"USD", "KES"}
    usd, kes = found["USD"], found["KES"]
    # 19 (paid) + 19 (past due still owes it) + 120 / 12; the trials pay nothing yet.
    assert (usd.subscriptions, str(usd.base.amount), str(usd.mrr.amount)) == (3, "48.00", "48.00")
    assert str(usd.arr.amount) == "576.00"
    # Tax is not revenue: KES 2,500, not the 2,900 invoiced.
    assert (kes.subscriptions, str(kes.mrr.amount), str(kes.arr.amount)) == (
        1,
        "2500.00",
        "30000.00",
    )
    assert usd.usage_last_month.amount == 0


def test_usage_invoiced_in_the_last_closed_month_is_added_to_mrr(
    make_tenant: Callable[..., Tenant], billing_fakes: BillingFakes, record_usage: Recorder
) -> None:
    shop = make_tenant(country="US", currency="USD", time_zone="America/New_York")
    save_card(shop, billing_fakes)
    subscription_change_plan(tenant=shop, plan_code="growth")
    trial_invoice = bill_next_boundary(shop)
    assert trial_invoice is not None
    # Growth charges USD 0.02 a message: 250 messages in the first paid period, USD 5.00.
    subscription = Subscription.objects.get(tenant=shop)
    for number in range(5):
        record_usage(
            tenant_id=shop.pk,
            metric_code="sms_sent",
            idempotency_key=f"sms-{number}",
            quantity=Decimal(50),
            occurred_at=subscription.current_period_start + timedelta(days=1),
        )
    period_invoice = bill_next_boundary(shop)
    assert period_invoice is not None and period_invoice.status == InvoiceStatus.PAID
    issued = period_invoice.issued_for
    a_month_after = (issued.replace(day=1) + timedelta(days=40)).replace(day=3)

    (usd,) = figures.recurring_revenue(now=a_month_after)

    assert str(usd.base.amount) == "49.00"
    assert str(usd.usage_last_month.amount) == "5.00"
    assert (str(usd.mrr.amount), str(usd.arr.amount)) == ("54.00", "648.00")


def test_businesses_by_plan_and_by_status(platform: Platform) -> None:
    counts = figures.tenant_counts()

    by_plan = {row.plan: (row.total, row.by_status) for row in counts.by_plan}
    assert by_plan["starter"][0] == 5
    assert by_plan["starter"][1] == {
        "trialing": 1,
        "active": 2,
        "past_due": 1,
        "suspended": 0,
        "cancelled": 1,
    }
    assert by_plan["annual"] == (
        1,
        {"trialing": 0, "active": 1, "past_due": 0, "suspended": 0, "cancelled": 0},
    )
    assert counts.by_status == {
        "trialing": 1,
        "active": 3,
        "past_due": 1,
        "suspended": 0,
        "cancelled": 1,
    }
    assert counts.without_subscription == 0


def test_trials_that_ended_in_the_period_and_how_many_converted(platform: Platform) -> None:
    start, end = _trial_days(platform)

    trials = figures.trial_conversions(start=start, end=end)
    before = figures.trial_conversions(start=start - timedelta(days=30), end=start)

    # Five ended (the one still trialing has not, to the billing run); three were paid.
    assert (trials.ended, trials.converted, trials.not_converted) == (5, 3, 2)
    assert trials.rate == Decimal("0.6000")
    assert (before.ended, before.rate) == (0, None)


def test_churn_is_the_paying_subscriptions_at_the_start_cancelled_within_the_period(
    platform: Platform,
) -> None:
    subscription_cancel(tenant=platform.us_paid)
    closing = bill_next_boundary(platform.us_paid)  # the end of its first paid month
    subscription = Subscription.objects.get(tenant=platform.us_paid)
    assert subscription.status == SubscriptionStatus.CANCELLED
    assert closing is not None and closing.total_minor == 0  # usage only, none
    _, trials_over = _trial_days(platform)
    start = trials_over + timedelta(days=1)

    churn = figures.churn(start=start, end=start + timedelta(days=44))

    # Paying at the start: both paid, the past-due one and the yearly one. Not the trial nor
    # the trial that ended in its cancellation (never a customer).
    assert (churn.active_at_start, churn.cancelled, churn.rate) == (4, 1, Decimal("0.2500"))
    earlier = figures.churn(start=start - timedelta(days=3), end=start - timedelta(days=3))
    assert (earlier.active_at_start, earlier.cancelled) == (0, 0)


def test_revenue_by_gateway_and_failed_payments_in_the_period(platform: Platform) -> None:
    start, end = _trial_days(platform)

    revenue = figures.revenue_by_gateway(start=start, end=end)
    failed = figures.failed_payments(start=start, end=end)

    assert [(r.gateway, r.currency, r.invoices, str(r.amount.amount)) for r in revenue] == [
        ("paystack", "KES", 1, "2900.00"),
        ("stripe", "USD", 2, "139.00"),
    ]
    # The business with no saved method: its attempt failed without reaching a gateway.
    assert [
        (f.gateway, f.currency, f.attempts, f.invoices, str(f.amount.amount))
        for f in failed.attempts
    ] == [("", "USD", 1, 1, "19.00")]
    assert [(p.currency, p.invoices, str(p.amount.amount)) for p in failed.past_due] == [
        ("USD", 1, "19.00")
    ]
    assert (
        figures.revenue_by_gateway(start=end + timedelta(days=1), end=end + timedelta(days=2)) == []
    )


def test_the_figures_are_a_few_queries_whatever_the_number_of_businesses(
    platform: Platform,
) -> None:
    start, end = _trial_days(platform)

    with CaptureQueriesContext(connection) as queries:
        figures.platform_figures(start=start, end=end)

    assert len(queries) <= 10


def test_usage_per_business_since_its_last_invoice_with_its_latest_snapshot(
    platform: Platform, record_usage: Recorder
) -> None:
    subscription = Subscription.objects.get(tenant=platform.us_yearly)
    assert subscription.usage_from is not None
    after = subscription.usage_from + timedelta(minutes=5)
    for number in range(3):
        record_usage(
            tenant_id=platform.us_yearly.pk,
            metric_code="api_calls",
            idempotency_key=f"call-{number}",
            occurred_at=after,
        )
    # Before the last invoice: already billed, not shown.
    record_usage(
        tenant_id=platform.us_yearly.pk,
        metric_code="api_calls",
        idempotency_key="old",
        occurred_at=subscription.usage_from - timedelta(minutes=5),
    )
    record_usage(
        tenant_id=platform.ke_paid.pk,
        metric_code="sms_sent",
        idempotency_key="sms",
        quantity=Decimal(7),
        occurred_at=after,
    )

    with CaptureQueriesContext(connection) as queries:
        rows = figures.usage_rows(figures.usage_subscriptions(), now=after + timedelta(hours=1))

    by_slug = {row.subscription.tenant.slug: row for row in rows}
    assert by_slug[platform.us_yearly.slug].metrics == {"api_calls": Decimal(3)}
    assert by_slug[platform.ke_paid.slug].metrics == {"sms_sent": Decimal(7)}
    assert by_slug[platform.trialing.slug].metrics == {}
    # Metrics, the grouped events, the snapshots (the page itself came in one more).
    assert len(queries) <= 4


# --- over HTTP ---------------------------------------------------------------------------------


def test_owners_read_the_figures_over_the_api(platform: Platform, console: Client) -> None:
    start, end = _trial_days(platform)
    ReconciliationMismatch.objects.create(
        invoice=platform.first_invoice(platform.us_paid),
        found_on=end,
        ours="paid 1900 USD",
        theirs="no charge",
        detail="inv-1: paid here, no charge at the gateway",
    )

    response = console.get(FIGURES, {"start": start.isoformat(), "end": end.isoformat()})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["start"], body["end"]) == (start.isoformat(), end.isoformat())
    usd = next(r for r in body["recurring_revenue"] if r["currency"] == "USD")
    assert usd["mrr"] == {"amount": "48.00", "currency": "USD"}
    assert usd["arr"] == {"amount": "576.00", "currency": "USD"}
    assert body["trials"] == {"ended": 5, "converted": 3, "not_converted": 2, "rate": "0.6000"}
    assert body["churn"]["cancelled"] == 0
    assert body["revenue_by_gateway"][1] == {
        "gateway": "stripe",
        "currency": "USD",
        "invoices": 2,
        "amount": {"amount": "139.00", "currency": "USD"},
    }
    assert body["failed_payments"]["past_due"] == [
        {"currency": "USD", "invoices": 1, "amount": {"amount": "19.00", "currency": "USD"}}
    ]
    assert body["open_mismatches"] == 1
    mismatches = console.get(root_path("billing-console:mismatch-list")).json()
    (mismatch,) = mismatches["results"]
    assert mismatch["invoice_number"] == platform.first_invoice(platform.us_paid).number
    assert mismatch["tenant"]["slug"] == platform.us_paid.slug
    assert (mismatch["ours"], mismatch["theirs"]) == ("paid 1900 USD", "no charge")


def test_the_figures_default_to_this_month_so_far(console: Client) -> None:
    response = console.get(FIGURES)

    assert response.status_code == 200, response.content
    today = timezone.now().date()
    assert (response.json()["start"], response.json()["end"]) == (
        today.replace(day=1).isoformat(),
        today.isoformat(),
    )


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"start": "2026-02-30"}, "start", "invalid"),
        ({"start": "2026-03-02", "end": "2026-03-01"}, "start", "period_reversed"),
        ({"start": "2000-01-01", "end": "2026-01-01"}, "start", "period_too_long"),
    ],
)
def test_a_bad_period_is_a_400_naming_the_field(
    console: Client, query: dict[str, str], field: str, code: str
) -> None:
    response = console.get(FIGURES, query)

    assert response.status_code == 400
    assert response.json()["error"]["fields"][field][0]["code"] == code


def test_usage_list_pages_over_businesses(platform: Platform, console: Client) -> None:
    response = console.get(root_path("billing-console:usage-list"), {"limit": 2})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 6 and len(body["results"]) == 2 and body["next"]
    assert set(body["results"][0]) >= {"tenant", "plan", "status", "since", "metrics", "snapshot"}


def test_nobody_but_a_platform_owner_reads_figures(
    root_client: Client, starter_shop: Tenant, tenant_client: Callable[[Tenant], Client]
) -> None:
    anonymous = root_client.get(FIGURES)
    User.objects.create_user("someone@duka.example", STRONG_PASSWORD, full_name="Someone")
    root_client.login(username="someone@duka.example", password=STRONG_PASSWORD)
    not_owner = root_client.get(FIGURES)
    on_a_business_host = tenant_client(starter_shop).get(FIGURES)

    assert anonymous.status_code == 403
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    assert not_owner.status_code == 403
    assert not_owner.json()["error"]["code"] == "not_platform_owner"
    assert on_a_business_host.status_code == 404


def test_the_console_billing_page_shows_the_figures(platform: Platform, console: Client) -> None:
    start, end = _trial_days(platform)

    response = console.get(
        root_path("console:billing-report"), {"start": start.isoformat(), "end": end.isoformat()}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "48.00" in page and "576.00" in page  # USD MRR and ARR
    assert "60.0 %" in page  # trial conversion
    assert "139.00 USD" in page and "2900.00 KES" in page  # revenue by gateway


def test_the_console_billing_page_refuses_a_bad_period_with_a_400(console: Client) -> None:
    response = console.get(
        root_path("console:billing-report"), {"start": "2026-03-02", "end": "2026-03-01"}
    )

    assert response.status_code == 400
    assert "starts after it ends" in response.content.decode()
