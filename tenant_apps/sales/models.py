"""Tills, shifts, sales and what was sold, how it was paid, and what came back."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from saas_platform.money import money_field
from saas_platform.quantities import quantity_field
from shared_apps.users.actors import author_field


class SalesSettings(models.Model):
    """The business's selling policy (one row, pk=1)."""

    # Some shops sell goods that arrived but were not yet received in the books; they would
    # rather sell below zero (and be alerted) than turn a customer away.
    allow_negative_stock = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "sales settings"


def sales_settings() -> SalesSettings:
    found = SalesSettings.objects.filter(pk=1).first()
    return found if found is not None else SalesSettings(pk=1)


class Register(models.Model):
    """A till at a storefront. Its receipts are numbered 1, 2, 3… with no gaps."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=80)
    location = models.ForeignKey(
        "inventory.Location", on_delete=models.PROTECT, related_name="registers"
    )
    receipt_prefix = models.CharField(max_length=12, blank=True)
    # Taken by an UPDATE … RETURNING inside the sale's transaction: a sale that rolls back
    # gives its number back, so numbers have no gaps.
    next_receipt_number = models.PositiveBigIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ShiftStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Shift(models.Model):
    """A cashier's session at a till, from the opening float to the counted cash."""

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="shifts")
    status = models.CharField(max_length=10, choices=ShiftStatus.choices, default="open")
    opened_by = author_field()
    opened_at = models.DateTimeField(auto_now_add=True)
    opening_float = money_field()
    closed_by = author_field()
    closed_at = models.DateTimeField(null=True, blank=True)
    expected_cash = money_field(null=True, blank=True)
    counted_cash = money_field(null=True, blank=True)
    variance = money_field(null=True, blank=True)
    # The Z report, frozen when the shift closes, so later corrections cannot rewrite it.
    z_report = models.JSONField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["register"], condition=Q(status="open"), name="sales_one_open_shift"
            ),
        ]

    def __str__(self) -> str:
        return f"shift {self.pk} at {self.register_id} ({self.status})"


class CashMovementKind(models.TextChoices):
    CASH_IN = "cash_in", "Cash in"
    CASH_OUT = "cash_out", "Cash out"


class CashMovement(models.Model):
    """Cash put into or taken out of a drawer other than by a sale (a float top-up, a payout)."""

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="cash_movements")
    kind = models.CharField(max_length=10, choices=CashMovementKind.choices)
    amount = money_field()
    account = models.CharField(max_length=40, help_text="The other side of the entry (role).")
    reason = models.CharField(max_length=200)
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="cash_movement_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class DrawerOpening(models.Model):
    """The cash drawer opened with no sale (the till's "no sale" key): to give change, to check
    a note. Each one is counted against the cashier in the anomaly signals."""

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="drawer_openings")
    reason = models.CharField(max_length=200)
    opened_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"no sale at {self.created_at:%Y-%m-%d %H:%M}"


class CouponKind(models.TextChoices):
    PERCENT = "percent", "Percentage"
    FIXED = "fixed", "Fixed amount"


class Coupon(models.Model):
    code = models.CharField(max_length=30, unique=True)
    description = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=CouponKind.choices)
    value = models.DecimalField(max_digits=18, decimal_places=4)
    # A line coupon discounts only the lines of this product (or this category); else the cart.
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    min_spend = money_field(null=True, blank=True)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    # Counted by a conditional UPDATE at checkout, so the last use cannot be taken twice.
    uses = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="coupon_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="coupon_percent_max_100"
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(uses__lte=F("max_uses")),
                name="coupon_uses_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class SaleStatus(models.TextChoices):
    PARKED = "parked", "Parked"  # a cart put aside, holding no stock
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"  # stock held, a payment pending
    COMPLETED = "completed", "Completed"
    VOIDED = "voided", "Voided"


class Sale(models.Model):
    # Generated by the till, so a retried request is recognised as the same sale.
    uuid = models.UUIDField(unique=True, default=uuid.uuid4)
    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="sales")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="sales"
    )
    status = models.CharField(max_length=20, choices=SaleStatus.choices)
    receipt_number = models.PositiveBigIntegerField(null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="sales"
    )
    # None when an integration sold through an API key; ``sold_via`` then names the key.
    cashier = author_field()
    sold_via = models.CharField(max_length=60, blank=True)
    price_list = models.ForeignKey(
        "catalog.PriceList", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    coupon = models.ForeignKey(
        Coupon, null=True, blank=True, on_delete=models.PROTECT, related_name="sales"
    )
    prices_include_tax = models.BooleanField()
    # Totals, each the sum of the lines' rounded amounts.
    subtotal = money_field()  # net of tax, before discounts
    discount_total = money_field()  # net of tax
    tax_total = money_field()
    total = money_field()  # what the customer pays
    paid_total = money_field()
    change_due = money_field()
    cost_total = money_field()
    note = models.CharField(max_length=500, blank=True)
    # A digest of the request that made the sale: the same UUID with a different cart is a
    # client bug, answered with 409 rather than silently returning the first sale.
    request_digest = models.CharField(max_length=64, blank=True)
    # A sale the terminal made offline: the number its receipt printed (device id and the
    # device's own sequence), kept so that paper receipt leads to this sale and its real number.
    device_number = models.CharField(max_length=40, blank=True)
    # Sold offline while another till sold the last units: taken below zero rather than lost,
    # and flagged here (besides the stock alert) for a manager to look at.
    short_stock_flagged = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = author_field()
    void_reason = models.CharField(max_length=200, blank=True)
    # When anything of the row last changed, for integrations that sync (saas_platform/changes.py).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["completed_at"], name="sale_completed_at"),
            models.Index(fields=["status", "register"], name="sale_status_register"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "receipt_number"], name="sale_receipt_unique_per_register"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["completed", "voided"]) | Q(receipt_number__isnull=True),
                name="sale_number_only_when_completed",
            ),
        ]

    def __str__(self) -> str:
        return f"sale {self.receipt_label or self.uuid}"

    @property
    def payment_reference(self) -> str:
        """What a customer types as the account when paying an open sale by paybill."""
        return f"SALE{self.pk}"

    @property
    def receipt_label(self) -> str:
        if self.receipt_number is None:
            return ""
        prefix = self.register.receipt_prefix if self.register_id else ""
        return f"{prefix}{self.receipt_number:06d}"


class SaleLine(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200)
    quantity = quantity_field()
    unit_price = money_field()  # as charged, before discounts; tax as the sale says
    price_overridden = models.BooleanField(default=False)
    discount = money_field()  # line discount plus its share of the cart discount, as priced
    tax_rate = models.DecimalField(max_digits=6, decimal_places=3)
    list_net = money_field()  # net of tax, before discounts
    discount_net = money_field()
    net = money_field()
    tax = money_field()
    gross = money_field()  # what the customer pays for this line
    cost = money_field()  # FIFO cost of the goods, known once the stock is taken
    returned_quantity = quantity_field(default=0)

    class Meta:
        ordering = ["sale", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["sale", "line_no"], name="sale_line_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sale_line_qty_positive"),
            models.CheckConstraint(
                condition=Q(returned_quantity__gte=0) & Q(returned_quantity__lte=F("quantity")),
                name="sale_line_returned_within_sold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_no}: {self.quantity} x {self.description}"


class TenderMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CARD = "card", "Card"
    MPESA = "mpesa", "M-Pesa"
    AIRTEL = "airtel", "Airtel Money"
    UPI = "upi", "UPI"
    ACCOUNT = "account", "On account"  # the customer's credit, or their store credit
    LOYALTY = "loyalty", "Loyalty points"


class TenderStatus(models.TextChoices):
    SETTLED = "settled", "Settled"
    PENDING = "pending", "Pending"
    FAILED = "failed", "Failed"


class Tender(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="tenders")
    method = models.CharField(max_length=10, choices=TenderMethod.choices)
    amount = money_field()  # applied to the sale
    tendered = money_field()  # handed over (cash may be more than the amount)
    change = money_field()
    status = models.CharField(max_length=10, choices=TenderStatus.choices)
    payment = models.OneToOneField(
        "payments.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="tender"
    )
    points = models.PositiveIntegerField(null=True, blank=True)
    payer = models.CharField(max_length=40, blank=True)
    # The provider's id of money that reached us without a payment of ours (an M-Pesa C2B
    # TransID when the customer paid the paybill themselves).
    reference = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="tender_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.amount} ({self.status})"

    @property
    def receipt_reference(self) -> str:
        """The payer's proof of payment: our payment's receipt from the provider (an M-Pesa
        code) once known, else the id of money sent unasked (a matched paybill payment)."""
        payment = self.payment
        return (payment.receipt if payment is not None else "") or self.reference


class RefundMethod(models.TextChoices):
    CASH = "cash", "Cash"
    ORIGINAL = "original", "To the original payment"
    STORE_CREDIT = "store_credit", "Store credit"


class SaleReturn(models.Model):
    uuid = models.UUIDField(unique=True)
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="returns")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="returns"
    )
    refund_method = models.CharField(max_length=20, choices=RefundMethod.choices)
    reason = models.CharField(max_length=200)
    net = money_field()
    tax = money_field()
    total = money_field()
    cost_restocked = money_field()
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"return {self.uuid}"


class ReturnLine(models.Model):
    sale_return = models.ForeignKey(SaleReturn, on_delete=models.CASCADE, related_name="lines")
    sale_line = models.ForeignKey(SaleLine, on_delete=models.PROTECT, related_name="returns")
    quantity = quantity_field()
    restock = models.BooleanField()
    net = money_field()
    tax = money_field()
    gross = money_field()
    cost = money_field()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.sale_line_id}"


class ReceiptSettings(models.Model):
    """The one row (pk=1) of what every receipt prints besides the sale: the business's
    address lines, VAT number, phone and a footer. Defaults (all blank) until first saved."""

    header = models.TextField(blank=True, help_text="Lines under the name: address, branch…")
    vat_number = models.CharField(max_length=40, blank=True, help_text="e.g. a KRA PIN")
    phone = models.CharField(max_length=40, blank=True)
    footer = models.TextField(blank=True, help_text="e.g. returns policy, thanks.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="sales_receipt_settings_single"),
        ]

    def __str__(self) -> str:
        return "Receipt settings"
