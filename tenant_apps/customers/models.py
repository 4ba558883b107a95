"""Customers, their credit account (the "udhar khata") and their loyalty points."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from saas_platform.money import money_field
from shared_apps.users.actors import author_field


class Customer(models.Model):
    """Someone the business knows by name: buys on credit, holds store credit, earns points.

    ``balance`` and ``loyalty_points`` change only through conditional UPDATEs in
    ``services.py``, each paired with a permanent entry carrying the balance after it, so the
    entries are the history and the columns are their running totals.
    """

    # Customers type it as the M-Pesa paybill account number: short, unambiguous, uppercase.
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=16, blank=True, help_text="E.164, e.g. +254712345678.")
    email = models.EmailField(blank=True)
    tax_id = models.CharField(max_length=40, blank=True, help_text="e.g. a KRA PIN")
    credit_limit = money_field(help_text="How much the customer may owe; 0 = cash only.")
    payment_terms_days = models.PositiveSmallIntegerField(default=30)
    balance = money_field(help_text="Positive: the customer owes us; negative: store credit.")
    loyalty_points = models.PositiveIntegerField(default=0)
    price_list = models.ForeignKey(
        "catalog.PriceList",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Prices this customer buys at (e.g. wholesale); none = retail.",
    )
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="customers_customer_unique_phone"
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0), name="customers_credit_limit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PaymentMethod(models.TextChoices):
    """How a customer pays their account (each lands in its own ledger account)."""

    CASH = "cash", "Cash"
    CARD = "card", "Card"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    MPESA = "mpesa", "M-Pesa"
    AIRTEL = "airtel", "Airtel Money"


class CreditKind(models.TextChoices):
    CREDIT_SALE = "credit_sale", "Credit sale"
    PAYMENT = "payment", "Payment"
    RETURN = "return", "Return of a credit sale"
    STORE_CREDIT = "store_credit", "Refund as store credit"
    ADJUSTMENT = "adjustment", "Adjustment"
    STORE_CREDIT_USED = "store_credit_used", "Store credit spent"


class CreditEntry(models.Model):
    """One change of a customer's balance, never edited or deleted (the database refuses)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="credit_entries")
    kind = models.CharField(max_length=20, choices=CreditKind.choices)
    amount = money_field(help_text="Signed: positive increases what the customer owes.")
    balance_after = money_field()
    due_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=120, blank=True)
    key = models.CharField(
        max_length=100, null=True, blank=True, unique=True, help_text="Idempotency key."
    )
    note = models.CharField(max_length=500, blank=True)
    created_by = author_field()
    # A default rather than auto_now_add: balances carried over from a paper book keep the day
    # they were really incurred, and statements are cut by this date.
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["customer", "id"], name="customers_credit_by_customer")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="customers_credit_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} for customer {self.customer_id}"


class LoyaltyReason(models.TextChoices):
    EARNED = "earned", "Earned"
    REDEEMED = "redeemed", "Redeemed"
    REVERSED = "reversed", "Reversed"
    ADJUSTED = "adjusted", "Adjusted"


class LoyaltyEntry(models.Model):
    """One change of a customer's points, never edited or deleted."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="loyalty_entries")
    points = models.IntegerField()
    reason = models.CharField(max_length=20, choices=LoyaltyReason.choices)
    reference = models.CharField(max_length=120, blank=True)
    balance_after = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["customer", "id"], name="customers_loyalty_by_customer")]

    def __str__(self) -> str:
        return f"{self.points:+d} points for customer {self.customer_id} ({self.reason})"


class LoyaltySettings(models.Model):
    """The one row (pk=1) of the business's loyalty programme; defaults until first saved."""

    enabled = models.BooleanField(default=True)
    points_per_unit = models.DecimalField(
        max_digits=10,
        decimal_places=4,
        help_text="Points per 1 unit of currency spent (0.01 = a point per 100).",
    )
    point_value = money_field(help_text="What one point is worth when redeemed.")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="customers_loyalty_settings_single"),
            models.CheckConstraint(
                condition=Q(points_per_unit__gte=0), name="customers_points_per_unit_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(point_value__gte=0), name="customers_point_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return "Loyalty settings"
