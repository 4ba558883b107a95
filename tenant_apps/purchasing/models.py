"""Buying stock: suppliers, purchase orders, goods receipts, supplier invoices and payments."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from moneyed import Money

from saas_platform.money import money_field
from saas_platform.quantities import quantity_field
from shared_apps.users.actors import author_field


class DocumentCounter(models.Model):
    """The last number handed out per document prefix (``PO``, ``GRN``).

    Numbers come from one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on this row, so two
    concurrent requests queue on it and never get the same number; a rolled-back transaction
    gives its number back, so references have no gaps.
    """

    prefix = models.CharField(max_length=10, primary_key=True)
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last_number}"


class Supplier(models.Model):
    name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    tax_id = models.CharField(max_length=40, blank=True, help_text="e.g. a KRA PIN")
    payment_terms_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days after the invoice date that a bill falls due."
    )
    lead_time_days = models.PositiveSmallIntegerField(
        default=7, help_text="Usual days from placing an order to delivery."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="purchasing_supplier_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ORDERED = "ordered", "Ordered"
    PARTIALLY_RECEIVED = "partially_received", "Partially received"
    RECEIVED = "received", "Received"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


RECEIVABLE_STATUSES = (OrderStatus.ORDERED, OrderStatus.PARTIALLY_RECEIVED)


class PurchaseOrder(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders")
    destination = models.ForeignKey(
        "inventory.Location", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default="draft")
    expected_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    ordered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="purchase_order_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="purchase_order_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity_ordered = quantity_field()
    quantity_received = quantity_field(default=0)
    unit_cost = money_field()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="purchase_line_unique"),
            models.CheckConstraint(
                condition=Q(quantity_ordered__gt=0), name="purchase_line_ordered_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity_received__gte=0)
                & Q(quantity_received__lte=F("quantity_ordered")),
                name="purchase_line_received_within_ordered",
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0), name="purchase_line_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity_ordered} of {self.product_id} on {self.order_id}"

    @property
    def quantity_outstanding(self) -> Decimal:
        return self.quantity_ordered - self.quantity_received


class GoodsReceipt(models.Model):
    """One delivery against a purchase order; each of its lines put one batch into stock."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    reference = models.CharField(max_length=20, unique=True)
    received_at = models.DateTimeField()
    delivery_note = models.CharField(
        max_length=100, blank=True, help_text="The supplier's delivery note number."
    )
    # Sent by a client that may retry (a flaky warehouse connection): one receipt per key.
    idempotency_key = models.CharField(max_length=100, blank=True)
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="goods_receipt_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class GoodsReceiptLine(models.Model):
    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines"
    )
    quantity = quantity_field()
    unit_cost = money_field()
    lot_code = models.CharField(max_length=64, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    batch = models.OneToOneField(
        "inventory.Batch", on_delete=models.PROTECT, related_name="receipt_line"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="receipt_line_positive"),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0), name="receipt_line_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} on {self.receipt_id}"


class InvoiceStatus(models.TextChoices):
    OPEN = "open", "Open"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


PAYABLE_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)


class SupplierInvoice(models.Model):
    """A supplier's bill: what we owe them, and how much of it is paid."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="invoices")
    order = models.ForeignKey(
        PurchaseOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(max_length=60, help_text="The supplier's own invoice number.")
    invoice_date = models.DateField()
    due_date = models.DateField()
    total = money_field()
    amount_paid = money_field()
    status = models.CharField(max_length=20, choices=InvoiceStatus.choices, default="open")
    note = models.CharField(max_length=500, blank=True)
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-invoice_date", "-pk"]
        indexes = [
            models.Index(
                fields=["supplier", "due_date"],
                condition=Q(status__in=["open", "partially_paid"]),
                name="supplier_invoice_payable",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "number"], name="supplier_invoice_unique_number"
            ),
            models.CheckConstraint(condition=Q(total__gt=0), name="supplier_invoice_positive"),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=F("total")),
                name="supplier_invoice_paid_within_total",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("invoice_date")),
                name="supplier_invoice_due_after_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=InvoiceStatus.values), name="supplier_invoice_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} from {self.supplier_id} ({self.status})"

    @property
    def outstanding(self) -> Money:
        """What is still owed: nothing on a paid or void bill."""
        if self.status not in PAYABLE_STATUSES:
            return Money(0, self.total.currency)
        return self.total - self.amount_paid


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    MOBILE_MONEY = "mobile_money", "Mobile money"
    CHEQUE = "cheque", "Cheque"


class SupplierPayment(models.Model):
    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.PROTECT, related_name="payments")
    amount = money_field()
    paid_on = models.DateField()
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=100, blank=True)
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="supplier_payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} on {self.invoice_id}"
