"""Payments taken through outside providers (M-Pesa, Airtel Money, card, UPI), their callbacks,
refunds and unsolicited paybill / till payments (C2B).

A payment is created inside the caller's transaction (a checkout), sent to the provider after
that commits, and settled exactly once — by a callback, a status query, or a person — under a
lock on its row.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from saas_platform.money import money_field
from shared_apps.users.actors import author_field


class Provider(models.TextChoices):
    MPESA = "mpesa", "M-Pesa"
    AIRTEL = "airtel", "Airtel Money"
    CARD = "card", "Card"
    UPI = "upi", "UPI"
    CASH = "cash", "Cash"


# Providers with an account of the business's own (credentials, callback URLs).
ACCOUNT_PROVIDERS = (Provider.MPESA, Provider.AIRTEL, Provider.CARD, Provider.UPI)


class ProviderAccount(models.Model):
    """A business's account at one provider.

    ``credentials`` holds the adapter's keys (consumer key and secret, passkey, webhook secret…).
    They sit in the tenant's schema for now; in production they belong in a secrets store (see
    docs/payments.md). They are never returned by the API and never recorded in the audit trail.
    """

    provider = models.CharField(
        max_length=16,
        unique=True,
        choices=[(p.value, p.label) for p in ACCOUNT_PROVIDERS],
    )
    base_url = models.URLField(max_length=300)
    credentials = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    # The unguessable part of the C2B validation / confirmation URLs: those posts are unsigned,
    # so knowing this token is what lets a caller in.
    c2b_token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider"]

    def __str__(self) -> str:
        return self.provider


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    # Timeout means unknown, not failed: a later query or callback may still settle it, and
    # after that a person decides.
    UNKNOWN = "unknown", "Unknown"
    CANCELLED = "cancelled", "Cancelled"


FINAL_STATUSES = (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELLED)
OPEN_STATUSES = (PaymentStatus.PENDING, PaymentStatus.UNKNOWN)


class Payment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.CharField(max_length=16, choices=Provider.choices)
    # Who asked for the money and for what (e.g. "sale", "S-000123"); the handler registered for
    # the purpose hears the outcome.
    purpose = models.CharField(max_length=40)
    purpose_ref = models.CharField(max_length=64)
    amount = money_field()
    payer = models.CharField(max_length=100, blank=True)
    account_reference = models.CharField(max_length=40, blank=True)
    description = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    provider_reference = models.CharField(max_length=100, blank=True)
    receipt = models.CharField(max_length=100, blank=True)
    redirect_url = models.URLField(max_length=1000, blank=True)
    result_code = models.CharField(max_length=40, blank=True)
    result_message = models.CharField(max_length=500, blank=True)
    callback_token = models.CharField(max_length=64, unique=True)
    refunded_amount = money_field()
    query_attempts = models.PositiveIntegerField(default=0)
    # Queries made after the deadline; a few are tried before leaving the payment to a person.
    late_queries = models.PositiveSmallIntegerField(default=0)
    next_query_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(max_length=500, blank=True)
    resolved_by = author_field()
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["purpose", "purpose_ref"], name="payments_purpose_ref_idx"),
            models.Index(fields=["status", "next_query_at"], name="payments_status_next_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payments_payment_unique_provider_ref",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_payment_amount_positive"
            ),
            # The last line of defence against refunding more than was paid.
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("amount")),
                name="payments_payment_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.amount} {self.status}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class CallbackKind(models.TextChoices):
    STK = "stk", "Payment result"
    C2B = "c2b", "C2B"
    REFUND_RESULT = "refund_result", "Refund result"


class CallbackResult(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DUPLICATE = "duplicate", "Duplicate"
    REJECTED = "rejected", "Rejected"


class PaymentCallback(models.Model):
    """Every post a provider (or anyone) sent us, as received: the evidence in a dispute."""

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks"
    )
    refund = models.ForeignKey(
        "payments.PaymentRefund",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks",
    )
    provider = models.CharField(max_length=16, blank=True)
    kind = models.CharField(max_length=16, choices=CallbackKind.choices)
    headers = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    result = models.CharField(max_length=12, choices=CallbackResult.choices)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.result} at {self.received_at}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class RefundMethod(models.TextChoices):
    # The provider's own refund call (Airtel, card, UPI; cash settles at once).
    REFUND = "refund", "Refund"
    # M-Pesa: a reversal gives back the whole transaction, so it is used only for all of it.
    REVERSAL = "reversal", "M-Pesa reversal"
    # M-Pesa: part of a payment goes back as a B2C payment to the payer's phone.
    B2C = "b2c", "M-Pesa B2C payment"


class PaymentRefund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = money_field()
    method = models.CharField(
        max_length=12, choices=RefundMethod.choices, default=RefundMethod.REFUND
    )
    status = models.CharField(
        max_length=12, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    provider_reference = models.CharField(max_length=100, blank=True)
    # The provider's id of the money going back (the B2C TransactionReceipt the customer gets
    # by SMS, the reversal's TransactionID): what a person quotes when the customer asks.
    receipt = models.CharField(max_length=100, blank=True)
    result_code = models.CharField(max_length=40, blank=True)
    result_message = models.CharField(max_length=500, blank=True)
    callback_token = models.CharField(max_length=64, unique=True)
    # The caller's key (e.g. the return's number): asking twice gives the same refund.
    reference = models.CharField(max_length=64)
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "reference"], name="payments_refund_unique_reference"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_refund_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} of payment {self.payment_id}"


class C2BStatus(models.TextChoices):
    MATCHED = "matched", "Matched"
    UNMATCHED = "unmatched", "Unmatched"


class C2BPayment(models.Model):
    """Money a customer sent to the paybill / till on their own (no STK push of ours)."""

    trans_id = models.CharField(max_length=40, unique=True)
    amount = money_field()
    bill_ref = models.CharField(max_length=100, blank=True)
    msisdn = models.CharField(max_length=100, blank=True)
    payer_name = models.CharField(max_length=200, blank=True)
    trans_time = models.CharField(max_length=20, blank=True)
    raw = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=C2BStatus.choices)
    matched_by = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.trans_id} {self.amount} {self.status}"
