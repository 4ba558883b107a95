"""Gapless document numbers per year: ``DUKA-2026-000123`` for invoices, ``DUKA-CN-2026-000007``
for credit notes.

A number is taken under a row lock in the transaction that issues the document, so a rollback
gives it back and the next document takes it: no gaps, no duplicates. Callers take it as the
last step of their transaction, to hold the lock (which every business's documents share) as
briefly as possible.
"""

from __future__ import annotations

from datetime import datetime

from billing.models import DocumentSequence
from saas_platform.locking import lock_row

INVOICE = "invoice"
CREDIT_NOTE = "credit"
_PREFIXES = {INVOICE: "DUKA", CREDIT_NOTE: "DUKA-CN"}


def next_document_number(kind: str, at: datetime) -> str:
    year = at.year
    # Makes the year's row when it is the first document of the year; a concurrent maker
    # loses quietly and both then queue on the one row.
    DocumentSequence.objects.bulk_create(
        [DocumentSequence(kind=kind, year=year)], ignore_conflicts=True
    )
    sequence = lock_row(DocumentSequence, kind=kind, year=year)
    if sequence is None:  # made just above; only a concurrent DELETE could take it
        raise RuntimeError(f"document sequence {kind}/{year} vanished")
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{_PREFIXES[kind]}-{year}-{sequence.last:06d}"
