"""Credit notes: platform owners take an amount off an issued invoice (a refund, a goodwill
credit). On an unpaid invoice it lowers what is due (to nothing: the invoice is settled); on a
paid one it is a credit the business's next invoice takes."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from billing.minor_units import from_minor
from billing.models import CreditNote, Invoice, InvoiceStatus
from billing.numbering import CREDIT_NOTE, next_document_number
from billing.services.collection import invoice_mark_paid
from saas_platform.errors import Conflict, ValidationFailed
from saas_platform.locking import lock_found
from saas_platform.money import format_amount, minor_unit_exponent

CREDITABLE = (InvoiceStatus.FINALIZED, InvoiceStatus.PAID, InvoiceStatus.UNCOLLECTIBLE)


def _in_minor_units(amount: Decimal, currency: str) -> int:
    """A money amount of the invoice's currency in its minor units; finer than the minor unit
    (0.001 USD) is refused rather than rounded: a credit is given exactly or not at all."""
    minor = amount.scaleb(minor_unit_exponent(currency))
    if minor != minor.to_integral_value():
        raise ValidationFailed.for_field(
            "amount", "too_precise", f"{currency} has no amounts finer than its minor unit."
        )
    return int(minor)


@transaction.atomic
def credit_note_issue(
    *,
    invoice_id: int,
    reason: str,
    issued_by: str,
    amount_minor: int | None = None,
    amount: Decimal | None = None,
) -> CreditNote:
    """Credits ``amount_minor`` (minor units) or ``amount`` (money in the invoice's currency),
    one of them, at most what earlier credit notes have left of the invoice's total."""
    field = "amount_minor" if amount is None else "amount"
    if (amount_minor is None) == (amount is None):
        raise ValidationFailed.for_field(
            "amount", "required", "Give the amount, either in money or in minor units."
        )
    if not reason.strip():
        raise ValidationFailed.for_field("reason", "required", "Say why the credit is given.")
    invoice = lock_found(
        Invoice.objects.select_related("tenant"), pk=invoice_id, missing="No such invoice."
    )
    if invoice.status not in CREDITABLE:
        raise Conflict(f"A {invoice.status} invoice cannot be credited.", code="not_creditable")
    if amount is not None:
        amount_minor = _in_minor_units(amount, invoice.currency)
    if amount_minor is None or amount_minor <= 0:
        raise ValidationFailed.for_field(field, "not_positive", "A credit is more than zero.")
    credited = (
        CreditNote.objects.filter(invoice=invoice).aggregate(total=Sum("amount_minor"))["total"]
        or 0
    )
    left = invoice.total_minor - credited
    if amount_minor > left:
        raise ValidationFailed.for_field(
            field,
            "over_invoice_total",
            f"At most {format_amount(from_minor(left, invoice.currency))} {invoice.currency} "
            f"({left} in minor units) is left to credit on {invoice.number}.",
        )
    now = timezone.now()
    note = CreditNote(
        tenant_id=invoice.tenant_id,
        invoice=invoice,
        currency=invoice.currency,
        amount_minor=amount_minor,
        reason=reason.strip()[:300],
        issued_by=issued_by,
    )
    if invoice.status != InvoiceStatus.PAID:
        invoice.credited_minor += amount_minor
        invoice.save(update_fields=["credited_minor", "updated_at"])
        if invoice.amount_due_minor == 0:
            invoice_mark_paid(invoice, now=now)
    note.number = next_document_number(CREDIT_NOTE, now)  # last: the year's row stays locked
    note.save()
    return note
