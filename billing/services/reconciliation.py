"""The daily reconciliation: each recent invoice's state against the gateway's own record of
its charges. Disagreements are listed for platform owners (``ReconciliationMismatch``), never
corrected silently: which side is right is a person's call."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from billing.gateways.base import GatewayError, RemoteCharge
from billing.gateways.registry import gateway_named
from billing.models import (
    AttemptStatus,
    Invoice,
    InvoiceStatus,
    PaymentAttempt,
    ReconciliationMismatch,
)

# Invoices finalized within this many days are checked (a gateway's own dispute window is
# longer, but a drift shows within days).
LOOK_BACK_DAYS = 35


def _spell(status: str, amount_minor: int, currency: str) -> str:
    return f"{status} {amount_minor} {currency}"


def _check(invoice: Invoice, attempt: PaymentAttempt, remote: RemoteCharge | None) -> str | None:
    """What is wrong about one attempt, or None."""
    if invoice.status == InvoiceStatus.PAID and attempt.status == AttemptStatus.SUCCEEDED:
        if remote is None:
            return "paid here, no charge at the gateway"
        if remote.status != "succeeded":
            return f"paid here, {remote.status} at the gateway"
        if (remote.amount_minor, remote.currency.upper()) != (
            attempt.amount_minor,
            attempt.currency,
        ):
            return "paid here for a different amount than the gateway charged"
        return None
    if remote is not None and remote.status == "succeeded" and invoice.status != InvoiceStatus.PAID:
        return f"{invoice.status} here, but the gateway charged it"
    return None


def reconcile(*, today: date | None = None) -> list[ReconciliationMismatch]:
    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=LOOK_BACK_DAYS)
    attempts = (
        PaymentAttempt.objects.select_related("invoice")
        .filter(invoice__finalized_at__gte=since)
        .exclude(gateway="")
        .order_by("pk")
    )
    found = []
    for attempt in attempts:
        invoice = attempt.invoice
        try:
            remote = gateway_named(attempt.gateway).lookup_charge(reference=attempt.reference)
        except GatewayError:
            continue  # unreachable today; tomorrow's run looks again
        problem = _check(invoice, attempt, remote)
        if problem is None:
            continue
        theirs = (
            _spell(remote.status, remote.amount_minor, remote.currency) if remote else "no charge"
        )
        found.append(
            ReconciliationMismatch(
                invoice=invoice,
                found_on=today,
                ours=_spell(
                    invoice.status,
                    invoice.amount_due_minor or invoice.total_minor,
                    invoice.currency,
                ),
                theirs=theirs,
                detail=f"{attempt.reference}: {problem}"[:300],
            )
        )
    ReconciliationMismatch.objects.bulk_create(found, ignore_conflicts=True)
    return found
