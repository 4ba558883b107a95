"""The billing catalog: plans and their prices and entitlements, metrics and charges."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from moneyed import Money

from saas_platform.money import money_field
from saas_platform.quantities import quantity_field

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
