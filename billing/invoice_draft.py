"""An invoice worked out without writing anything: the one way an invoice is priced.

The billing run writes what :func:`invoice_draft` works out at a boundary
(billing/services/invoicing.py); the business's own billing shows the same draft, worked out
on a copy of its subscription with the usage measured so far, as its upcoming invoice
(billing/estimates.py). Both go through these functions, so the estimate is priced exactly as
the invoice will be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

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
from billing.minor_units import share_minor, to_minor
from billing.models import (
    CreditNote,
    InvoiceStatus,
    Plan,
    Subscription,
    SubscriptionAdjustment,
    SubscriptionStatus,
    TaxRate,
)
from billing.periods import period_end
from billing.pricing import charge_amount
from billing.selectors import plan_price
from shared_apps.tenants.models import Tenant


@dataclass
class InvoiceDraft:
    """What an invoice at ``boundary`` holds, in minor units of ``currency``."""

    boundary: datetime
    currency: str
    plan_code: str
    # The base fee's period (the one that starts at the boundary).
    period_start: datetime
    period_end: datetime
    lines: list[LineDraft]
    # The usage period measured (None: nothing was, as for a trial).
    usage: tuple[datetime, datetime] | None
    tax: TaxRate | None
    subtotal_minor: int
    tax_minor: int
    total_minor: int
    # Credit left over once the lines reach zero, carried to the next invoice.
    carried_minor: int
    adjustments: list[SubscriptionAdjustment] = field(default_factory=list)
    notes: list[CreditNote] = field(default_factory=list)

    @property
    def usage_start(self) -> datetime | None:
        return self.usage[0] if self.usage else None

    @property
    def usage_end(self) -> datetime | None:
        return self.usage[1] if self.usage else None

    @property
    def tax_rate(self) -> Decimal:
        return self.tax.rate if self.tax else Decimal(0)


def roll_period(subscription: Subscription, boundary: datetime) -> None:
    """Moves ``subscription`` (in memory; the caller saves it or not) into the period that
    starts at ``boundary``: applies a pending plan change, ends a trial, or ends the
    subscription when it was cancelled."""
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


def usage_lines(
    *, tenant: Tenant, plan: Plan, currency: str, start: datetime, end: datetime
) -> list[LineDraft]:
    """One line per charge of ``plan``: the units of ``[start, end)`` priced in ``currency``."""
    lines = []
    charges = (
        plan.charges.select_related("metric", "plan")
        .prefetch_related("prices")
        .order_by("metric__code")
    )
    for charge in charges:
        units = metric_units(tenant=tenant, metric=charge.metric, start=start, end=end)
        priced = charge_amount(charge, units, currency)
        lines.append(usage_line(charge.metric.name, charge.metric.code, priced))
    return lines


def _credits(
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


def tax_rate_for(country: str) -> TaxRate | None:
    return TaxRate.objects.filter(country=country, is_active=True).first()


def invoice_draft(
    subscription: Subscription, boundary: datetime, *, measured_until: datetime | None = None
) -> InvoiceDraft:
    """The invoice of ``subscription`` at ``boundary``: the base fee of the period that starts
    there (in advance, after a pending plan change; none when the subscription ends there),
    the usage since the last invoice (in arrears, none for a trial), prorations and credits not
    yet invoiced, and tax by the business's country.

    Rolls ``subscription`` into the new period in memory when ``boundary`` ends the current
    one; nothing is saved. ``measured_until``: where the usage period stops (the boundary for
    the invoice itself; now, for an estimate of an invoice still ahead).
    """
    was_trial = subscription.status == SubscriptionStatus.TRIALING
    usage_plan = subscription.plan
    usage_from = subscription.usage_from or subscription.current_period_start
    if boundary >= subscription.current_period_end:
        roll_period(subscription, boundary)
    lines: list[LineDraft] = []
    currency = subscription.currency
    if subscription.status != SubscriptionStatus.CANCELLED:
        fee = plan_price(subscription.plan, currency) or Money(0, currency)
        lines.append(
            base_fee_line(
                subscription.plan,
                to_minor(fee),
                subscription.current_period_start,
                subscription.current_period_end,
            )
        )
    usage_end = min(boundary, measured_until) if measured_until else boundary
    # A trial's usage is free: it is never measured.
    usage = None if was_trial or usage_from >= usage_end else (usage_from, usage_end)
    if usage:
        lines += usage_lines(
            tenant=subscription.tenant,
            plan=usage_plan,
            currency=currency,
            start=usage[0],
            end=usage[1],
        )
    credit_lines, adjustments, notes = _credits(subscription)
    lines += credit_lines
    carried = carry_excess_credit(lines)
    subtotal = sum(line.amount_minor for line in lines)
    tax = tax_rate_for(subscription.tenant.country)
    tax_minor = share_minor(subtotal, tax.rate if tax else Decimal(0))
    return InvoiceDraft(
        boundary=boundary,
        currency=currency,
        plan_code=subscription.plan.code,
        period_start=subscription.current_period_start,
        period_end=subscription.current_period_end,
        lines=lines,
        usage=usage,
        tax=tax,
        subtotal_minor=subtotal,
        tax_minor=tax_minor,
        total_minor=subtotal + tax_minor,
        carried_minor=carried,
        adjustments=adjustments,
        notes=notes,
    )
