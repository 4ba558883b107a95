"""Invoices, their lines, credit notes, gapless numbering and tax rates.

Amounts are integers in minor units of the invoice's currency (cents, kobo, paise), as the
gateways count them: an invoice's lines add up to its subtotal exactly, with no rounding left.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from billing.models.subscriptions import Subscription
from shared_apps.tenants.models import Tenant


class TaxRate(models.Model):
    """The tax billing adds to a business's invoices, by the business's country; set by
    platform owners. A country with no active rate is invoiced without tax."""

    country = models.CharField(max_length=2, unique=True, help_text="ISO 3166-1 alpha-2")
    name = models.CharField(max_length=40)  # "VAT", "GST"
    rate = models.DecimalField(max_digits=6, decimal_places=4)  # 0.1600 for 16 %
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lt=1), name="billing_tax_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.name} {self.rate}"


class DocumentSequence(models.Model):
    """The last number handed out per kind of document and year. Taken under a row lock in
    the transaction that finalizes the document, so a rollback gives the number back: no gaps."""

    kind = models.CharField(max_length=10)  # "invoice" | "credit"
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="billing_sequence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINALIZED = "finalized", "Finalized"  # issued and owed
    PAID = "paid", "Paid"
    VOID = "void", "Void"
    UNCOLLECTIBLE = "uncollectible", "Uncollectible"


OPEN_INVOICE_STATUSES = (InvoiceStatus.FINALIZED,)


class Invoice(models.Model):
    """What a business owes at one boundary of its subscription: the base fee of the period
    that starts there (paid in advance), the usage of the one that ended (in arrears), and
    prorations and credits not yet invoiced."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invoices")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="invoices"
    )
    # The boundary this invoice is for: one invoice per subscription and boundary.
    issued_for = models.DateTimeField()
    number = models.CharField(max_length=30, unique=True, null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    currency = models.CharField(max_length=3)
    plan_code = models.SlugField(max_length=40)
    # The base fee's period, and the usage period (empty when nothing was measured).
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    usage_start = models.DateTimeField(null=True, blank=True)
    usage_end = models.DateTimeField(null=True, blank=True)
    subtotal_minor = models.BigIntegerField(default=0)
    tax_name = models.CharField(max_length=40, blank=True)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4, default=0)
    tax_minor = models.BigIntegerField(default=0)
    total_minor = models.BigIntegerField(default=0)
    # What credit notes took off a finalized invoice before it was paid.
    credited_minor = models.BigIntegerField(default=0)
    gateway = models.CharField(max_length=20, blank=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    # When collection should next be tried (null: nothing to try, or retries exhausted).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_for", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "issued_for"], name="billing_invoice_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status__in=InvoiceStatus.values), name="billing_invoice_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(total_minor__gte=0) & Q(tax_minor__gte=0),
                name="billing_invoice_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False),
                name="billing_invoice_numbered_when_issued",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="billing_invoice_collectable"),
            models.Index(fields=["tenant", "-issued_for"], name="billing_invoice_by_tenant"),
        ]

    def __str__(self) -> str:
        return self.number or f"draft {self.pk}"

    @property
    def amount_due_minor(self) -> int:
        return max(self.total_minor - self.credited_minor, 0)


class LineKind(models.TextChoices):
    BASE_FEE = "base_fee", "Base fee"
    USAGE = "usage", "Usage"
    PRORATION_CREDIT = "proration_credit", "Proration credit"
    PRORATION_CHARGE = "proration_charge", "Proration charge"
    CREDIT = "credit", "Credit from an earlier credit note"
    CARRIED_CREDIT = "carried_credit", "Credit carried to the next invoice"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    description = models.CharField(max_length=300)
    metric_code = models.SlugField(max_length=40, blank=True)
    units = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    free_units = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    billable_units = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    # Negative for credits.
    amount_minor = models.BigIntegerField()
    # The pricing breakdown: [{"tier": 1, "units": "100", "unit_amount": "1.00",
    # "flat_amount": "0", "amount_minor": 10000}, …]
    tiers = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="billing_invoice_line_position_once"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=LineKind.values), name="billing_invoice_line_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}#{self.position} {self.description}"


class CreditNote(models.Model):
    """A reduction of a finalized or paid invoice, numbered like invoices (``DUKA-CN-…``).

    On an unpaid invoice it lowers the amount due; on a paid one it becomes a credit the next
    invoice takes (``applied_to``)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="credit_notes")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    number = models.CharField(max_length=30, unique=True)
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()
    reason = models.CharField(max_length=300)
    issued_by = models.EmailField(blank=True)
    # Paid invoices only: the invoice that took this credit (null until one does).
    applied_to = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="billing_credit_note_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.number
