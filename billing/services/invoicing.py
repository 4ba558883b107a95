"""The billing run's first half: at each boundary of a subscription, roll its period and write
the invoice for it, finalized and numbered, in one transaction.

One transaction means a worker killed at any point leaves either nothing (the rerun does it
all) or the whole invoice with the subscription moved past the boundary (the rerun finds
nothing due). The invoice's unique (subscription, boundary) is the backstop.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from billing.invoice_draft import InvoiceDraft, invoice_draft
from billing.minor_units import from_minor
from billing.models import (
    AdjustmentKind,
    CreditNote,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Subscription,
    SubscriptionAdjustment,
    SubscriptionStatus,
)
from billing.numbering import INVOICE, next_document_number
from billing.services.subscriptions import status_follow
from saas_platform.locking import lock_row

# A subscription the run missed for a long time is caught up at most this many boundaries per
# task (the next run goes on).
MAX_BOUNDARIES_PER_TASK = 24


def _write(subscription: Subscription, draft: InvoiceDraft) -> Invoice:
    invoice = Invoice.objects.create(
        tenant_id=subscription.tenant_id,
        subscription=subscription,
        issued_for=draft.boundary,
        currency=draft.currency,
        plan_code=subscription.plan.code,
        period_start=subscription.current_period_start,
        period_end=subscription.current_period_end,
        usage_start=draft.usage[0] if draft.usage else None,
        usage_end=draft.usage[1] if draft.usage else None,
        subtotal_minor=draft.subtotal_minor,
        tax_name=draft.tax.name if draft.tax else "",
        tax_rate=draft.tax_rate,
        tax_minor=draft.tax_minor,
        total_minor=draft.total_minor,
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
        for position, line in enumerate(draft.lines, start=1)
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
    # Worked out by the same code as the business's estimate of it (billing/invoice_draft.py);
    # it rolls the subscription into the new period when the boundary ends the current one.
    draft = invoice_draft(subscription, boundary)
    subscription.usage_from = boundary
    subscription.next_invoice_at = (
        None
        if subscription.status == SubscriptionStatus.CANCELLED
        else subscription.current_period_end
    )
    subscription.save()
    status_follow(subscription, "Billing period rolled over" if not was_trial else "Trial ended")
    if not draft.lines:
        return None
    invoice = _write(subscription, draft)
    if draft.adjustments:
        SubscriptionAdjustment.objects.filter(pk__in=[a.pk for a in draft.adjustments]).update(
            invoice=invoice
        )
    if draft.notes:
        CreditNote.objects.filter(pk__in=[n.pk for n in draft.notes]).update(applied_to=invoice)
    if draft.carried_minor:
        SubscriptionAdjustment.objects.create(
            subscription=subscription,
            kind=AdjustmentKind.CREDIT,
            plan=subscription.plan,
            amount=from_minor(draft.carried_minor, subscription.currency),
            description="Credit carried from an earlier invoice",
            period_start=boundary,
            period_end=subscription.current_period_end
            if subscription.current_period_end > boundary
            else boundary,
        )
    return invoice_finalize(invoice, now=now)
