"""A business's subscription and the prorations of its plan changes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from billing.models.catalog import Plan
from saas_platform.money import money_field
from shared_apps.tenants.models import Tenant


class SubscriptionStatus(models.TextChoices):
    # The same words as the tenant's status, which follows the subscription.
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    SUSPENDED = "suspended", "Suspended"
    CANCELLED = "cancelled", "Cancelled"


class Subscription(models.Model):
    """A business's one subscription: its plan, currency, status and current period."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=SubscriptionStatus.choices, default=SubscriptionStatus.TRIALING
    )
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    trial_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    # A change asked for "at period end"; applied when the period rolls over.
    pending_plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The next boundary the billing run invoices (the trial's or period's end; the start of a
    # first period with no trial); null once cancelled.
    next_invoice_at = models.DateTimeField(null=True, blank=True)
    # Usage from here on is not invoiced yet (a trial's usage is free: it moves past it).
    usage_from = models.DateTimeField(null=True, blank=True)
    # Dunning: when the first charge of the oldest unpaid invoice failed.
    past_due_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["next_invoice_at"], name="billing_subscription_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SubscriptionStatus.values),
                name="billing_subscription_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(current_period_end__gt=models.F("current_period_start")),
                name="billing_subscription_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} on {self.plan_id} ({self.status})"


class AdjustmentKind(models.TextChoices):
    CREDIT = "credit", "Credit"
    CHARGE = "charge", "Charge"


class SubscriptionAdjustment(models.Model):
    """A proration of a plan change made mid-period: a credit for the unused part of the old
    base fee, a charge for the rest of the period on the new one. The next invoice takes the
    adjustments not yet invoiced."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="adjustments"
    )
    kind = models.CharField(max_length=10, choices=AdjustmentKind.choices)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    amount = money_field()
    description = models.CharField(max_length=300)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    # The invoice that took it (null: still to be invoiced). A string reference: invoices
    # are defined after subscriptions.
    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AdjustmentKind.values), name="billing_adjustment_kind_valid"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="billing_adjustment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"
