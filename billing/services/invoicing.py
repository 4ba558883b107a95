"""The billing run's first half: at each boundary of a subscription, roll its period and write
the invoice for it, finalized and numbered, in one transaction.

One transaction means a worker killed at any point leaves either nothing (the rerun does it
all) or the whole invoice with the subscription moved past the boundary (the rerun finds
nothing due). The invoice's unique (subscription, boundary) is the backstop.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from moneyed import Money

from billing.invoice_lines import (
    LineDraft,
    adjustment_line,
    base_fee_line,
    carry_excess_credit,
    credit_note_line,
    usage_line,
)
from billing.metering import metric_units
from billing.minor_units import from_minor, share_minor, to_minor
from billing.models import (
    AdjustmentKind,
    CreditNote,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Plan,
    Subscription,
    SubscriptionAdjustment,
    SubscriptionStatus,
    TaxRate,
)
from billing.numbering import INVOICE, next_document_number
from billing.periods import period_end
from billing.pricing import charge_amount
from billing.selectors import plan_price
from billing.services.subscriptions import status_follow
from saas_platform.locking import lock_row

# A subscription the run missed for a long time is caught up at most this many boundaries per
# task (the next run goes on).
MAX_BOUNDARIES_PER_TASK = 24


def _roll(subscription: Subscription, boundary: datetime) -> None:
    """Moves the subscription into the period that starts at ``boundary``: applies a pending
    plan change, ends a trial, or ends the subscription when it was cancelled."""
    if subscription.cancel_at_period_end:
        subscription.status = SubscriptionStatus.CANCELLED
        subscription.cancelled_at = boundary
        subscription.cancel_at_period_end = False
        subscription.pending_plan = None
        return
    if subscription.pending_plan_id is not None:
        subscription.plan = subscription.pending_plan  # type: ignore[assignment]
        subscription.pending_plan = None
    if subscription.status == SubscriptionStatus.TRIALING:
        subscription.status = SubscriptionStatus.ACTIVE
    subscription.current_period_start = boundary
    subscription.current_period_end = period_end(boundary, subscription.plan.interval)


def _usage_lines(
    subscription: Subscription, plan: Plan, start: datetime, end: datetime
) -> list[LineDraft]:
    lines = []
    charges = (
        plan.charges.select_related("metric").prefetch_related("prices").order_by("metric__code")
    )
    for charge in charges:
        units = metric_units(tenant=subscription.tenant, metric=charge.metric, start=start, end=end)
        priced = charge_amount(charge, units, subscription.currency)
        lines.append(usage_line(charge.metric.name, charge.metric.code, priced))
    return lines


def _credit_lines(
    subscription: Subscription,
) -> tuple[list[LineDraft], list[SubscriptionAdjustment], list[CreditNote]]:
    adjustments = list(
        SubscriptionAdjustment.objects.filter(subscription=subscription, invoice=None).order_by(
            "pk"
        )
    )
    notes = list(
        CreditNote.objects.filter(
            tenant_id=subscription.tenant_id,
            applied_to=None,
            invoice__status=InvoiceStatus.PAID,
            currency=subscription.currency,
        ).order_by("pk")
    )
    lines = [adjustment_line(a) for a in adjustments] + [credit_note_line(n) for n in notes]
    return lines, adjustments, notes


def _tax(subscription: Subscription) -> TaxRate | None:
    return TaxRate.objects.filter(country=subscription.tenant.country, is_active=True).first()


def _write(
    subscription: Subscription,
    boundary: datetime,
    lines: list[LineDraft],
    *,
    usage: tuple[datetime, datetime] | None,
    now: datetime,
) -> Invoice:
    subtotal = sum(line.amount_minor for line in lines)
    tax = _tax(subscription)
    rate = tax.rate if tax else Decimal(0)
    tax_minor = share_minor(subtotal, rate)
    invoice = Invoice.objects.create(
        tenant_id=subscription.tenant_id,
        subscription=subscription,
        issued_for=boundary,
        currency=subscription.currency,
        plan_code=subscription.plan.code,
        period_start=subscription.current_period_start,
        period_end=subscription.current_period_end,
        usage_start=usage[0] if usage else None,
        usage_end=usage[1] if usage else None,
        subtotal_minor=subtotal,
        tax_name=tax.name if tax else "",
        tax_rate=rate,
        tax_minor=tax_minor,
        total_minor=subtotal + tax_minor,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=position,
            kind=line.kind,
            description=line.description,
            metric_code=line.metric_code,
            units=line.units,
            free_units=line.free_units,
            billable_units=line.billable_units,
            amount_minor=line.amount_minor,
            tiers=line.tiers,
        )
        for position, line in enumerate(lines, start=1)
    )
    return invoice


def invoice_finalize(invoice: Invoice, *, now: datetime) -> Invoice:
    """Numbers a draft and makes it owed (paid at once when nothing is due). Called last in its
    transaction: the year's number row stays locked until the transaction ends."""
    invoice.number = next_document_number(INVOICE, now)
    invoice.finalized_at = now
    if invoice.amount_due_minor == 0:
        invoice.status, invoice.paid_at = InvoiceStatus.PAID, now
    else:
        invoice.status, invoice.next_attempt_at = InvoiceStatus.FINALIZED, now
    invoice.save()
    return invoice


@transaction.atomic
def invoice_next_boundary(*, subscription_id: int, now: datetime | None = None) -> Invoice | None:
    """Invoices the subscription's next boundary when it is due: rolls the period when the
    boundary is its end, and writes the invoice (the new period's base fee in advance, the
    usage since the last invoice, prorations and credits). Returns the invoice, or None when
    nothing was due or nothing was owed (a trial ending in a cancellation)."""
    now = now or timezone.now()
    subscription = lock_row(
        Subscription.objects.select_related("tenant", "plan", "pending_plan"), pk=subscription_id
    )
    if subscription is None or subscription.next_invoice_at is None:
        return None
    boundary = subscription.next_invoice_at
    if boundary > now:
        return None
    was_trial = subscription.status == SubscriptionStatus.TRIALING
    usage_plan = subscription.plan
    usage_from = subscription.usage_from or subscription.current_period_start
    if boundary >= subscription.current_period_end:
        _roll(subscription, boundary)
    lines: list[LineDraft] = []
    if subscription.status != SubscriptionStatus.CANCELLED:
        fee = plan_price(subscription.plan, subscription.currency) or Money(
            0, subscription.currency
        )
        lines.append(
            base_fee_line(
                subscription.plan,
                to_minor(fee),
                subscription.current_period_start,
                subscription.current_period_end,
            )
        )
    # A trial's usage is free: it is never measured.
    usage = None if was_trial or usage_from >= boundary else (usage_from, boundary)
    if usage:
        lines += _usage_lines(subscription, usage_plan, *usage)
    credit_lines, adjustments, notes = _credit_lines(subscription)
    lines += credit_lines
    carried = carry_excess_credit(lines)
    subscription.usage_from = boundary
    subscription.next_invoice_at = (
        None
        if subscription.status == SubscriptionStatus.CANCELLED
        else subscription.current_period_end
    )
    subscription.save()
    status_follow(subscription, "Billing period rolled over" if not was_trial else "Trial ended")
    if not lines:
        return None
    invoice = _write(subscription, boundary, lines, usage=usage, now=now)
    if adjustments:
        SubscriptionAdjustment.objects.filter(pk__in=[a.pk for a in adjustments]).update(
            invoice=invoice
        )
    if notes:
        CreditNote.objects.filter(pk__in=[n.pk for n in notes]).update(applied_to=invoice)
    if carried:
        SubscriptionAdjustment.objects.create(
            subscription=subscription,
            kind=AdjustmentKind.CREDIT,
            plan=subscription.plan,
            amount=from_minor(carried, subscription.currency),
            description="Credit carried from an earlier invoice",
            period_start=boundary,
            period_end=subscription.current_period_end
            if subscription.current_period_end > boundary
            else boundary,
        )
    return invoice_finalize(invoice, now=now)
