"""The billing run's invoices: one per subscription and boundary, numbered without gaps, the
base fee in advance, usage in arrears, prorations and credits, tax by country."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from billing.models import (
    Invoice,
    InvoiceStatus,
    LineKind,
    Plan,
    Subscription,
    SubscriptionStatus,
    TaxRate,
)
from billing.numbering import INVOICE, next_document_number
from billing.services.invoicing import invoice_next_boundary
from billing.services.subscriptions import subscription_cancel, subscription_change_plan
from billing.usage import usage_record
from shared_apps.tenants.models import Tenant

pytestmark = pytest.mark.django_db

JUNE = datetime(2026, 6, 1, tzinfo=UTC)
JULY = datetime(2026, 7, 1, tzinfo=UTC)
AUGUST = datetime(2026, 8, 1, tzinfo=UTC)


def _active(tenant: Tenant, plan: str = "starter", start: datetime = JUNE) -> Subscription:
    """``tenant``'s subscription active on ``plan`` for the month from ``start``, with its June
    fee already invoiced (the next boundary is the month's end)."""
    subscription = Subscription.objects.get(tenant=tenant)
    end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=UTC)
    Subscription.objects.filter(pk=subscription.pk).update(
        plan_id=Plan.objects.get(code=plan).pk,
        status="active",
        trial_end=None,
        current_period_start=start,
        current_period_end=end,
        next_invoice_at=end,
        usage_from=start,
    )
    return Subscription.objects.get(pk=subscription.pk)


def _lines(invoice: Invoice) -> list[tuple[str, int]]:
    return [(line.kind, line.amount_minor) for line in invoice.lines.order_by("position")]


def _sms(tenant: Tenant, quantity: int, at: datetime, key: str, capture: Any) -> None:
    with capture(execute=True):
        usage_record(
            tenant_id=tenant.pk, metric_code="sms_sent", idempotency_key=key,
            quantity=quantity, occurred_at=at,
        )  # fmt: skip


def test_a_trial_ends_in_an_invoice_for_the_first_month_in_advance_with_kenyan_vat(
    starter_shop: Tenant,
) -> None:
    subscription = Subscription.objects.get(tenant=starter_shop)
    trial_end = subscription.trial_end
    assert trial_end is not None

    assert (
        invoice_next_boundary(subscription_id=subscription.pk, now=trial_end - timedelta(seconds=1))
        is None
    )
    invoice = invoice_next_boundary(subscription_id=subscription.pk, now=trial_end)

    assert invoice is not None
    # Starter is KES 2,500 a month, VAT 16 %; the trial's usage is free (no usage lines).
    assert _lines(invoice) == [(LineKind.BASE_FEE, 250000)]
    assert (invoice.subtotal_minor, invoice.tax_minor, invoice.total_minor) == (
        250000,
        40000,
        290000,
    )
    assert (invoice.tax_name, invoice.tax_rate) == ("VAT", Decimal("0.1600"))
    assert invoice.status == InvoiceStatus.FINALIZED
    assert invoice.next_attempt_at == trial_end
    assert re.fullmatch(rf"DUKA-{trial_end.year}-\d{{6}}", invoice.number or "")
    assert (invoice.period_start, invoice.usage_start) == (trial_end, None)
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.current_period_start == trial_end
    assert subscription.next_invoice_at == subscription.current_period_end > trial_end
    starter_shop.refresh_from_db()
    assert starter_shop.status == "active"


def test_the_same_boundary_is_invoiced_once_however_often_the_run_comes(
    starter_shop: Tenant,
) -> None:
    subscription = _active(starter_shop)

    first = invoice_next_boundary(subscription_id=subscription.pk, now=JULY)
    again = invoice_next_boundary(subscription_id=subscription.pk, now=JULY + timedelta(hours=1))

    assert first is not None and again is None
    assert Invoice.objects.filter(subscription=subscription).count() == 1


def test_usage_is_billed_in_arrears_by_the_plan_in_force_with_free_units(
    make_tenant: Callable[..., Tenant], django_capture_on_commit_callbacks: Any
) -> None:
    tenant = make_tenant()
    subscription = _active(tenant, plan="growth")
    _sms(tenant, 100, JUNE + timedelta(days=3), "sms-1", django_capture_on_commit_callbacks)
    _sms(tenant, 50, JUNE + timedelta(days=20), "sms-2", django_capture_on_commit_callbacks)
    # Outside June: not billed on this invoice.
    _sms(tenant, 999, JULY + timedelta(minutes=1), "sms-3", django_capture_on_commit_callbacks)

    invoice = invoice_next_boundary(subscription_id=subscription.pk, now=JULY)

    assert invoice is not None
    by_metric = {line.metric_code: line for line in invoice.lines.filter(kind=LineKind.USAGE)}
    # Growth: SMS at USD 0.02 = KES 2.60 each, no free units; 150 messages = KES 390.
    assert by_metric["sms_sent"].units == Decimal(150)
    assert by_metric["sms_sent"].amount_minor == 39000
    # No sales and no API calls: priced at zero, shown with their free units.
    assert by_metric["sales"].amount_minor == 0
    assert by_metric["api_calls"].amount_minor == 0
    base = invoice.lines.get(kind=LineKind.BASE_FEE)
    assert base.amount_minor == 650000  # Growth, KES 6,500, for July
    assert (invoice.usage_start, invoice.usage_end) == (JUNE, JULY)
    assert (invoice.period_start, invoice.period_end) == (JULY, AUGUST)
    assert invoice.subtotal_minor == 650000 + 39000
    assert invoice.total_minor == invoice.subtotal_minor + round(invoice.subtotal_minor * 0.16)


def test_a_plan_change_mid_period_shows_as_a_credit_and_a_charge_on_the_next_invoice(
    starter_shop: Tenant,
) -> None:
    subscription = _active(starter_shop)
    subscription_change_plan(
        tenant=starter_shop, plan_code="growth", now=datetime(2026, 6, 21, tzinfo=UTC)
    )

    invoice = invoice_next_boundary(subscription_id=subscription.pk, now=JULY)

    assert invoice is not None
    lines = _lines(invoice)
    # 10 of June's 30 days on Growth: Starter's unused KES 833.33 back, Growth's KES 2,166.67.
    assert (LineKind.PRORATION_CREDIT, -83333) in lines
    assert (LineKind.PRORATION_CHARGE, 216667) in lines
    assert (LineKind.BASE_FEE, 650000) in lines
    assert sum(amount for _, amount in lines) == invoice.subtotal_minor
    # Taken once: the next invoice does not show them again.
    Subscription.objects.filter(pk=subscription.pk).update(usage_from=AUGUST)
    later = invoice_next_boundary(subscription_id=subscription.pk, now=AUGUST)
    assert later is not None
    assert [kind for kind, _ in _lines(later)] == [LineKind.BASE_FEE]


def test_credits_larger_than_the_charges_are_carried_to_the_next_invoice(
    starter_shop: Tenant,
) -> None:
    subscription = _active(starter_shop, plan="growth")
    # Down to Starter on the 2nd: most of Growth's fee comes back, more than Starter's July fee.
    subscription_change_plan(
        tenant=starter_shop, plan_code="starter", now=datetime(2026, 6, 2, tzinfo=UTC)
    )

    invoice = invoice_next_boundary(subscription_id=subscription.pk, now=JULY)

    assert invoice is not None
    assert invoice.subtotal_minor == 0 and invoice.total_minor == 0
    assert invoice.status == InvoiceStatus.PAID  # nothing due
    carried = invoice.lines.get(kind=LineKind.CARRIED_CREDIT).amount_minor
    assert carried > 0
    later = invoice_next_boundary(subscription_id=subscription.pk, now=AUGUST)
    assert later is not None
    assert (LineKind.PRORATION_CREDIT, -carried) in _lines(later)


def test_a_cancelled_subscription_gets_a_last_invoice_for_its_usage_and_no_new_fee(
    make_tenant: Callable[..., Tenant], django_capture_on_commit_callbacks: Any
) -> None:
    tenant = make_tenant()
    subscription = _active(tenant, plan="growth")
    _sms(tenant, 10, JUNE + timedelta(days=1), "sms-c", django_capture_on_commit_callbacks)
    subscription_cancel(tenant=tenant)

    invoice = invoice_next_boundary(subscription_id=subscription.pk, now=JULY)

    assert invoice is not None
    kinds = {kind for kind, _ in _lines(invoice)}
    assert LineKind.BASE_FEE not in kinds and LineKind.USAGE in kinds
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CANCELLED
    assert subscription.next_invoice_at is None
    tenant.refresh_from_db()
    assert tenant.status == "cancelled"


def test_a_pending_plan_change_takes_effect_at_the_boundary(starter_shop: Tenant) -> None:
    subscription = _active(starter_shop)
    subscription_change_plan(tenant=starter_shop, plan_code="growth", when="period_end")

    invoice = invoice_next_boundary(subscription_id=subscription.pk, now=JULY)

    assert invoice is not None and invoice.plan_code == "growth"
    assert invoice.lines.get(kind=LineKind.BASE_FEE).amount_minor == 650000
    subscription.refresh_from_db()
    assert (subscription.plan.code, subscription.pending_plan) == ("growth", None)


def test_a_run_that_missed_boundaries_catches_up_one_invoice_each(starter_shop: Tenant) -> None:
    subscription = _active(starter_shop)

    invoices = []
    while (
        invoice := invoice_next_boundary(
            subscription_id=subscription.pk, now=datetime(2026, 9, 15, tzinfo=UTC)
        )
    ) is not None:
        invoices.append(invoice)

    assert [i.issued_for for i in invoices] == [JULY, AUGUST, datetime(2026, 9, 1, tzinfo=UTC)]
    numbers = [int((i.number or "").rsplit("-", 1)[1]) for i in invoices]
    assert numbers == list(range(numbers[0], numbers[0] + 3))


def test_no_tax_where_the_country_has_no_rate(make_tenant: Callable[..., Tenant]) -> None:
    tenant = make_tenant(country="US", currency="USD", time_zone="America/New_York")
    subscription = _active(tenant)

    invoice = invoice_next_boundary(subscription_id=subscription.pk, now=JULY)

    assert invoice is not None
    assert (invoice.currency, invoice.subtotal_minor, invoice.tax_minor, invoice.total_minor) == (
        "USD", 1900, 0, 1900,
    )  # fmt: skip


def test_platform_owners_tax_rate_changes_apply_to_the_next_invoice(starter_shop: Tenant) -> None:
    subscription = _active(starter_shop)
    TaxRate.objects.filter(country="KE").update(rate=Decimal("0.1000"))

    invoice = invoice_next_boundary(subscription_id=subscription.pk, now=JULY)

    assert invoice is not None and invoice.tax_minor == 25000


def test_a_number_taken_in_a_rolled_back_transaction_is_given_to_the_next_document() -> None:
    at = datetime(2031, 1, 1, tzinfo=UTC)
    first = next_document_number(INVOICE, at)
    with pytest.raises(RuntimeError), transaction.atomic():
        next_document_number(INVOICE, at)
        raise RuntimeError("the invoice could not be written")
    second = next_document_number(INVOICE, at)

    assert first == "DUKA-2031-000001"
    assert second == "DUKA-2031-000002"
