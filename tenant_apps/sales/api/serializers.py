"""Output shapes shared by the sales views."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas_platform.api.fields import MoneyField
from saas_platform.api.shaping import OutputModelSerializer
from saas_platform.tenancy import current_business
from tenant_apps.catalog.api.serializers import shows_costs
from tenant_apps.sales.models import (
    CashMovement,
    Coupon,
    DrawerOpening,
    Register,
    ReturnLine,
    Sale,
    SaleLine,
    SaleReturn,
    Shift,
    Tender,
)
from tenant_apps.sales.receipts.data import receipt_url
from tenant_apps.sales.selectors import open_shifts_of


class OpenShiftSerializer(OutputModelSerializer[Shift]):
    opened_by = serializers.EmailField(source="opened_by.email", default=None, allow_null=True)

    class Meta:
        model = Shift
        fields = ["id", "opened_at", "opened_by"]


class RegisterOutputSerializer(OutputModelSerializer[Register]):
    location = serializers.CharField(source="location.code")
    open_shift = serializers.SerializerMethodField()

    class Meta:
        model = Register
        fields = [
            "id",
            "code",
            "name",
            "location",
            "receipt_prefix",
            "is_active",
            "open_shift",
            "created_at",
        ]

    @extend_schema_field(OpenShiftSerializer(allow_null=True))
    def get_open_shift(self, register: Register) -> dict[str, Any] | None:
        """The till's open shift, so a till that lost track of it can find it again."""
        found = getattr(register, "open_shifts", None)
        if found is None:  # not read with register_list(): one query
            found = open_shifts_of(register)
        return dict(OpenShiftSerializer(found[0]).data) if found else None


class ShiftOutputSerializer(OutputModelSerializer[Shift]):
    register = serializers.CharField(source="register.code")
    opening_float = MoneyField()
    expected_cash = MoneyField()
    counted_cash = MoneyField()
    variance = MoneyField()
    opened_by = serializers.EmailField(source="opened_by.email")
    z_report = serializers.SerializerMethodField()

    class Meta:
        model = Shift
        fields = [
            "id",
            "register",
            "status",
            "opened_by",
            "opened_at",
            "opening_float",
            "closed_at",
            "expected_cash",
            "counted_cash",
            "variance",
            "z_report",
            "note",
        ]

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_z_report(self, shift: Shift) -> dict[str, Any] | None:
        return shift_report_shown(shift.z_report, self.context)


# A shift's report item that is a cost: shown only to roles that may see costs.
REPORT_COST_KEYS = ("cost_total",)


def shift_report_shown(
    report: dict[str, Any] | None, context: Mapping[str, Any]
) -> dict[str, Any] | None:
    """An X or Z report as the request may see it (no cost of goods for a cashier)."""
    if report is None or shows_costs(context):
        return report
    return {key: value for key, value in report.items() if key not in REPORT_COST_KEYS}


class CashMovementOutputSerializer(OutputModelSerializer[CashMovement]):
    amount = MoneyField()

    class Meta:
        model = CashMovement
        fields = ["id", "kind", "amount", "account", "reason", "created_at"]


class DrawerOpeningOutputSerializer(OutputModelSerializer[DrawerOpening]):
    opened_by = serializers.EmailField(source="opened_by.email", default=None, allow_null=True)

    class Meta:
        model = DrawerOpening
        fields = ["id", "shift", "reason", "opened_by", "created_at"]


class CouponOutputSerializer(OutputModelSerializer[Coupon]):
    min_spend = MoneyField()

    class Meta:
        model = Coupon
        fields = [
            "id",
            "code",
            "description",
            "kind",
            "value",
            "product",
            "category",
            "min_spend",
            "valid_from",
            "valid_until",
            "max_uses",
            "uses",
            "is_active",
        ]


class SaleLineOutputSerializer(OutputModelSerializer[SaleLine]):
    sku = serializers.CharField(source="product.sku")
    unit_price = MoneyField()
    discount = MoneyField()
    net = MoneyField()
    tax = MoneyField()
    gross = MoneyField()

    class Meta:
        model = SaleLine
        fields = [
            "id",
            "line_no",
            "product",
            "sku",
            "description",
            "quantity",
            "unit_price",
            "price_overridden",
            "discount",
            "tax_rate",
            "net",
            "tax",
            "gross",
            "returned_quantity",
        ]


class TenderOutputSerializer(OutputModelSerializer[Tender]):
    amount = MoneyField()
    tendered = MoneyField()
    change = MoneyField()
    payment = serializers.UUIDField(source="payment.public_id", default=None)
    payment_status = serializers.CharField(source="payment.status", default=None)
    # Where the customer pays a hosted card payment (or a UPI intent), to show as a QR code.
    payment_link = serializers.CharField(source="payment.redirect_url", default=None)
    # The provider's receipt (the M-Pesa code) once paid, as the printed receipt shows it.
    reference = serializers.CharField(source="receipt_reference", read_only=True)

    class Meta:
        model = Tender
        fields = [
            "id",
            "method",
            "amount",
            "tendered",
            "change",
            "status",
            "payer",
            "points",
            "reference",
            "payment",
            "payment_status",
            "payment_link",
        ]


class ReturnLineOutputSerializer(OutputModelSerializer[ReturnLine]):
    gross = MoneyField()
    tax = MoneyField()

    class Meta:
        model = ReturnLine
        fields = ["sale_line", "quantity", "restock", "gross", "tax"]


class SaleReturnOutputSerializer(OutputModelSerializer[SaleReturn]):
    sale = serializers.UUIDField(source="sale.uuid")
    net = MoneyField()
    tax = MoneyField()
    total = MoneyField()
    lines = ReturnLineOutputSerializer(many=True)

    class Meta:
        model = SaleReturn
        fields = [
            "uuid",
            "sale",
            "refund_method",
            "reason",
            "net",
            "tax",
            "total",
            "lines",
            "created_at",
        ]


class SaleSummarySerializer(OutputModelSerializer[Sale]):
    register = serializers.CharField(source="register.code")
    receipt = serializers.CharField(source="receipt_label")
    cashier = serializers.EmailField(source="cashier.email", default=None)
    customer = serializers.IntegerField(source="customer_id", default=None)
    total = MoneyField()

    class Meta:
        model = Sale
        fields = [
            "uuid",
            "register",
            "receipt",
            "status",
            "cashier",
            "customer",
            "total",
            "created_at",
            "completed_at",
            "updated_at",
        ]


class SaleOutputSerializer(SaleSummarySerializer):
    receipt_url = serializers.SerializerMethodField()

    subtotal = MoneyField()
    discount_total = MoneyField()
    tax_total = MoneyField()
    paid_total = MoneyField()
    change_due = MoneyField()
    coupon = serializers.CharField(source="coupon.code", default=None)
    payment_reference = serializers.CharField(read_only=True)
    lines = SaleLineOutputSerializer(many=True)
    tenders = TenderOutputSerializer(many=True)

    class Meta(SaleSummarySerializer.Meta):
        fields = [
            *SaleSummarySerializer.Meta.fields,
            "receipt_number",
            "payment_reference",
            "prices_include_tax",
            "subtotal",
            "discount_total",
            "tax_total",
            "paid_total",
            "change_due",
            "coupon",
            "note",
            "device_number",
            "short_stock_flagged",
            "lines",
            "tenders",
            "voided_at",
            "void_reason",
            "receipt_url",
        ]

    def get_receipt_url(self, sale: Sale) -> str | None:
        """The public receipt link the till shows as a QR code, once there is a receipt."""
        if sale.receipt_number is None:
            return None
        return receipt_url(current_business(), str(sale.uuid))


def sale_data(sale: Sale) -> dict[str, Any]:
    return dict(SaleOutputSerializer(sale).data)
