"""Collecting what invoices say is owed: a business's gateway account and saved method, each
charge attempt, the gateways' webhooks as received, and reconciliation findings."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from billing.models.invoices import Invoice
from shared_apps.tenants.models import Tenant


class BillingAccount(models.Model):
    """A business at its gateway: the customer there and the saved payment method."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="billing_account")
    gateway = models.CharField(max_length=20)
    customer_id = models.CharField(max_length=100, blank=True)
    method_token = models.CharField(max_length=200, blank=True)
    method_kind = models.CharField(max_length=30, blank=True)
    method_label = models.CharField(max_length=100, blank=True)
    # The last hosted setup started (its reference comes back in the webhook).
    setup_reference = models.CharField(max_length=100, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.tenant_id} at {self.gateway}"

    @property
    def has_method(self) -> bool:
        return bool(self.method_token)


class AttemptStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # written before the gateway is called
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    REQUIRES_ACTION = "requires_action", "Requires the payer's action"


class PaymentAttempt(models.Model):
    """One try at charging an invoice. Its reference is the gateway's idempotency key, made
    from the invoice's id and the attempt's number, and written before the gateway is called:
    a worker killed mid-call and a rerun send the same key, so the gateway charges once."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    reference = models.CharField(max_length=100, unique=True)
    gateway = models.CharField(max_length=20)
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.PENDING
    )
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    gateway_reference = models.CharField(max_length=100, blank=True)
    failure_code = models.CharField(max_length=60, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    action_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invoice", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "number"], name="billing_attempt_number_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AttemptStatus.values), name="billing_attempt_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class GatewayEvent(models.Model):
    """A webhook as it came (raw body), once per gateway event id; processed by a task."""

    gateway = models.CharField(max_length=20)
    event_id = models.CharField(max_length=200)
    kind = models.CharField(max_length=30)
    raw_type = models.CharField(max_length=100, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    occurred_at = models.DateTimeField()
    # The rest of what the adapter read from it (gateway reference, amount, currency, failure):
    # signatures are checked on receipt only (a Stripe signature goes stale in 5 minutes).
    facts = models.JSONField(default=dict, blank=True)
    body = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="billing_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.event_id}"


class ReconciliationMismatch(models.Model):
    """An invoice whose state disagrees with the gateway's record of its charge, found by the
    daily reconciliation, for platform owners to look at."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="mismatches")
    found_on = models.DateField()
    ours = models.CharField(max_length=100)  # "paid 650000 KES"
    theirs = models.CharField(max_length=100)  # "no charge", "failed 650000 KES"
    detail = models.CharField(max_length=300)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-found_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "found_on"], name="billing_mismatch_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: ours {self.ours}, theirs {self.theirs}"


class UsageSnapshot(models.Model):
    """What a business had on one day (stores, tills, seats, products), taken daily: the
    period's maximum is what the seats and stores metrics bill."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="usage_snapshots")
    day = models.DateField()
    stores = models.PositiveIntegerField()
    registers = models.PositiveIntegerField()
    staff_seats = models.PositiveIntegerField()
    products = models.PositiveIntegerField()

    class Meta:
        ordering = ["tenant", "day"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day"], name="billing_snapshot_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.day}"
