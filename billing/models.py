"""The billing catalog (plans, prices, metrics, charges) and subscriptions, in the public schema.

Public tables never point into a business's schema: a subscription keeps the tenant row (public
too), never a row of the business's own tables.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from moneyed import Money

from saas_platform.money import money_field
from saas_platform.quantities import quantity_field
from shared_apps.tenants.models import Tenant

# The currencies every plan is priced in (issue 13); a plan may add others.
PLAN_CURRENCIES = ("USD", "KES", "NGN", "GHS", "ZAR", "INR")
# A business whose currency has no price is billed in this one.
FALLBACK_CURRENCY = "USD"


class Interval(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    YEARLY = "yearly", "Yearly"


class Limit(models.TextChoices):
    """Countable entitlements: how many of a thing a business may have (null: unlimited)."""

    STORES = "stores", "Stores"
    REGISTERS = "registers", "Registers"
    STAFF_SEATS = "staff_seats", "Staff seats"
    PRODUCTS = "products", "Products"


class Feature(models.TextChoices):
    """Yes-or-no entitlements."""

    FORECASTING = "forecasting", "Demand forecasting"
    API_ACCESS = "api_access", "API access"
    MULTI_STORE = "multi_store", "Multi-store (transfers between stores)"
    NOTIFICATIONS = "notifications", "SMS and WhatsApp notifications"


class Plan(models.Model):
    """What a business subscribes to: a base fee per interval, entitlements and usage charges."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    interval = models.CharField(max_length=10, choices=Interval.choices, default=Interval.MONTHLY)
    trial_days = models.PositiveIntegerField(default=14)
    is_active = models.BooleanField(default=True, help_text="Offered to new subscriptions.")
    # The plan signup starts a trial on; at most one.
    is_default = models.BooleanField(default=False)
    # Limits; null means unlimited.
    max_stores = models.PositiveIntegerField(null=True, blank=True)
    max_registers = models.PositiveIntegerField(null=True, blank=True)
    max_staff_seats = models.PositiveIntegerField(null=True, blank=True)
    max_products = models.PositiveIntegerField(null=True, blank=True)
    # Features.
    forecasting = models.BooleanField(default=False)
    api_access = models.BooleanField(default=False)
    multi_store = models.BooleanField(default=False)
    notifications = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="billing_one_default_plan"
            ),
            models.CheckConstraint(
                condition=Q(interval__in=Interval.values), name="billing_plan_interval_valid"
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(is_active=True),
                name="billing_default_plan_active",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def limit(self, limit: str) -> int | None:
        value: int | None = getattr(self, f"max_{Limit(limit).value}")
        return value

    def has_feature(self, feature: str) -> bool:
        return bool(getattr(self, Feature(feature).value))

    def base_fees(self) -> list[Money]:
        """The base fee in each currency (through ``prices.all()``, so a prefetch serves it)."""
        return [price.amount for price in self.prices.all()]


class PlanPrice(models.Model):
    """The base fee of a plan in one currency, per interval."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="prices")
    amount = money_field()

    class Meta:
        ordering = ["plan", "amount_currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "amount_currency"], name="billing_plan_price_one_per_currency"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="billing_plan_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.amount}"


class Aggregation(models.TextChoices):
    COUNT = "count", "Count"
    SUM = "sum", "Sum"
    MAX = "max", "Maximum"
    UNIQUE_COUNT = "unique_count", "Unique count"
    LATEST = "latest", "Latest value"


class BillableMetric(models.Model):
    """Something measured over a billing period: how its events (or rows) add up to units."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    aggregation = models.CharField(max_length=20, choices=Aggregation.choices)
    # What the aggregation reads: ``quantity`` of a usage event, or a key of its properties
    # (``properties.api_key``) for unique counts; empty for a plain count.
    field_name = models.CharField(max_length=60, blank=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(aggregation__in=Aggregation.values),
                name="billing_metric_aggregation_valid",
            ),
            models.CheckConstraint(
                condition=Q(aggregation="count") | ~Q(field_name=""),
                name="billing_metric_field_unless_count",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ChargeModel(models.TextChoices):
    STANDARD = "standard", "Standard (per unit)"
    GRADUATED = "graduated", "Graduated"
    VOLUME = "volume", "Volume"
    PACKAGE = "package", "Package"


class Charge(models.Model):
    """How a plan prices one metric's units over a period (its prices per currency below)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="charges")
    metric = models.ForeignKey(BillableMetric, on_delete=models.PROTECT, related_name="charges")
    model = models.CharField(max_length=20, choices=ChargeModel.choices)
    # Units of each period that cost nothing; taken off before any pricing.
    free_units = quantity_field(default=0)
    # Package: units per package (a started package is paid in full).
    package_size = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "metric"], name="billing_charge_one_per_metric"
            ),
            models.CheckConstraint(
                condition=Q(model__in=ChargeModel.values), name="billing_charge_model_valid"
            ),
            models.CheckConstraint(condition=Q(free_units__gte=0), name="billing_free_units_ok"),
            models.CheckConstraint(
                condition=~Q(model="package") | Q(package_size__gte=1),
                name="billing_package_has_size",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.metric_id} ({self.model})"


class ChargePrice(models.Model):
    """A charge's price in one currency.

    ``unit_amount``: per unit (standard) or per package (package). ``tiers`` (graduated,
    volume): ``[{"up_to": 1000, "unit_amount": "0.50", "flat_amount": "0"}, …,
    {"up_to": null, …}]``, ascending, the last one open; checked by ``billing.tiers``.
    """

    charge = models.ForeignKey(Charge, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(max_length=3)
    unit_amount = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    tiers = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["charge", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["charge", "currency"], name="billing_charge_price_one_per_currency"
            ),
            models.CheckConstraint(
                condition=Q(unit_amount__isnull=True) | Q(unit_amount__gte=0),
                name="billing_charge_unit_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.charge_id} in {self.currency}"


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
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
    base fee, a charge for the rest of the period on the new one. The next invoice (not built
    yet) takes the adjustments not yet invoiced."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="adjustments"
    )
    kind = models.CharField(max_length=10, choices=AdjustmentKind.choices)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    amount = money_field()
    description = models.CharField(max_length=300)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
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


class UsageEvent(models.Model):
    """One measured use (an API call by a key, a forecast run, messages sent), sent at most
    once per idempotency key: a retry with the same key records nothing more.

    Usage the product already records (completed sales) is not sent as events: it is counted
    from the business's own tables at billing time (``billing.metering``).
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="usage_events")
    metric_code = models.SlugField(max_length=40)
    quantity = quantity_field(default=1)
    # What ``unique_count`` metrics count (``{"api_key": "ab12…"}``).
    properties = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=100)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "idempotency_key"], name="billing_usage_event_once"
            ),
        ]
        indexes = [
            # Aggregating one metric of one business over a period.
            models.Index(
                fields=["tenant", "metric_code", "occurred_at"], name="billing_usage_by_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.metric_code} {self.quantity}"
