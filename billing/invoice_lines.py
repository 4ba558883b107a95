"""The lines of an invoice, worked out before anything is written: a base fee, a line per
usage charge with its tier breakdown, prorations and credits, all in minor units."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from billing.minor_units import to_minor
from billing.models import (
    AdjustmentKind,
    CreditNote,
    LineKind,
    Plan,
    SubscriptionAdjustment,
)
from billing.pricing import PricedCharge


@dataclass
class LineDraft:
    kind: str
    description: str
    amount_minor: int
    metric_code: str = ""
    units: Decimal = Decimal(0)
    free_units: Decimal = Decimal(0)
    billable_units: Decimal = Decimal(0)
    tiers: list[dict[str, Any]] = field(default_factory=list)


def base_fee_line(plan: Plan, fee_minor: int, start: datetime, end: datetime) -> LineDraft:
    return LineDraft(
        kind=LineKind.BASE_FEE,
        description=f"{plan.name} plan, {start:%Y-%m-%d} to {end:%Y-%m-%d}",
        amount_minor=fee_minor,
    )


def usage_line(metric_name: str, metric_code: str, priced: PricedCharge) -> LineDraft:
    return LineDraft(
        kind=LineKind.USAGE,
        description=metric_name,
        metric_code=metric_code,
        units=priced.units,
        free_units=priced.free_units,
        billable_units=priced.billable_units,
        amount_minor=to_minor(priced.amount),
        tiers=[
            {
                "tier": line.tier,
                "units": str(line.units),
                "unit_amount": str(line.unit_amount),
                "flat_amount": str(line.flat_amount),
                "amount_minor": to_minor(line.amount),
            }
            for line in priced.lines
        ],
    )


def adjustment_line(adjustment: SubscriptionAdjustment) -> LineDraft:
    amount = to_minor(adjustment.amount)
    credit = adjustment.kind == AdjustmentKind.CREDIT
    return LineDraft(
        kind=LineKind.PRORATION_CREDIT if credit else LineKind.PRORATION_CHARGE,
        description=adjustment.description,
        amount_minor=-amount if credit else amount,
    )


def credit_note_line(note: CreditNote) -> LineDraft:
    return LineDraft(
        kind=LineKind.CREDIT,
        description=f"Credit note {note.number}",
        amount_minor=-note.amount_minor,
    )


def carry_excess_credit(lines: list[LineDraft]) -> int:
    """When credits exceed charges, adds the line that brings the subtotal to zero and returns
    the credit to carry to the next invoice (0 when there is none)."""
    subtotal = sum(line.amount_minor for line in lines)
    if subtotal >= 0:
        return 0
    lines.append(
        LineDraft(
            kind=LineKind.CARRIED_CREDIT,
            description="Credit carried to the next invoice",
            amount_minor=-subtotal,
        )
    )
    return -subtotal
