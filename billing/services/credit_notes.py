"""Credit notes: platform owners take an amount off an issued invoice (a refund, a goodwill
credit). On an unpaid invoice it lowers what is due (to nothing: the invoice is settled); on a
paid one it is a credit the business's next invoice takes."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from billing.models import CreditNote, Invoice, InvoiceStatus
from billing.numbering import CREDIT_NOTE, next_document_number
from billing.services.collection import invoice_mark_paid
from saas_platform.errors import Conflict, NotFound, ValidationFailed
from saas_platform.locking import lock_row

CREDITABLE = (InvoiceStatus.FINALIZED, InvoiceStatus.PAID, InvoiceStatus.UNCOLLECTIBLE)


@transaction.atomic
def credit_note_issue(
    *, invoice_id: int, amount_minor: int, reason: str, issued_by: str
) -> CreditNote:
    if amount_minor <= 0:
        raise ValidationFailed.for_field("amount", "not_positive", "A credit is more than zero.")
    if not reason.strip():
        raise ValidationFailed.for_field("reason", "required", "Say why the credit is given.")
    invoice = lock_row(Invoice.objects.select_related("tenant"), pk=invoice_id)
    if invoice is None:
        raise NotFound("No such invoice.")
    if invoice.status not in CREDITABLE:
        raise Conflict(f"A {invoice.status} invoice cannot be credited.", code="not_creditable")
    credited = (
        CreditNote.objects.filter(invoice=invoice).aggregate(total=Sum("amount_minor"))["total"]
        or 0
    )
    if credited + amount_minor > invoice.total_minor:
        raise ValidationFailed.for_field(
            "amount",
            "over_invoice_total",
            f"At most {invoice.total_minor - credited} more can be credited on {invoice.number}.",
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
