"""A sale's receipt in every format a till needs, e-mailing it, and what receipts print."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import MoneyField, quantity
from saas_platform.api.renderers import (
    BinaryRenderer,
    HTMLRenderer,
    PDFRenderer,
    download,
    requested_format,
)
from saas_platform.api.shaping import shown, validated
from tenant_apps.sales.receipts.config import receipt_settings_set
from tenant_apps.sales.receipts.data import receipt_data, receipt_settings
from tenant_apps.sales.receipts.mail import receipt_email
from tenant_apps.sales.receipts.render import render_escpos, render_html, render_pdf
from tenant_apps.sales.selectors import receipt_sale_get
from tenant_apps.staff.access import Action


class EscPos58Renderer(BinaryRenderer):
    format = "escpos58"


class EscPos80Renderer(BinaryRenderer):
    format = "escpos80"


class LocalDateTimeField(serializers.DateTimeField):
    """Keeps the offset the value carries (the business's), where DRF would turn it into UTC."""

    def to_representation(self, value: Any) -> str:
        return str(value.isoformat())


class ReceiptLineSerializer(serializers.Serializer[Any]):
    description = serializers.CharField()
    quantity = quantity()
    unit_price = MoneyField()
    discount = MoneyField()
    total = MoneyField()
    tax_rate = serializers.DecimalField(max_digits=6, decimal_places=3)


class TaxBandSerializer(serializers.Serializer[Any]):
    rate = serializers.DecimalField(max_digits=6, decimal_places=3)
    net = MoneyField()
    tax = MoneyField()


class ReceiptTenderSerializer(serializers.Serializer[Any]):
    method = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    amount = MoneyField()
    tendered = MoneyField()
    change = MoneyField()
    reference = serializers.CharField(help_text="The provider's receipt number, e.g. M-Pesa's.")


class ReceiptOutputSerializer(serializers.Serializer[Any]):
    business_name = serializers.CharField()
    header_lines = serializers.ListField(child=serializers.CharField())
    vat_number = serializers.CharField()
    phone = serializers.CharField()
    footer_lines = serializers.ListField(child=serializers.CharField())
    register = serializers.CharField()
    receipt_number = serializers.CharField()
    sale_uuid = serializers.UUIDField()
    status = serializers.CharField()
    issued_at = LocalDateTimeField(help_text="In the business's time zone.")
    time_zone = serializers.CharField()
    cashier = serializers.CharField()
    currency = serializers.CharField()
    prices_include_tax = serializers.BooleanField()
    lines = ReceiptLineSerializer(many=True)
    subtotal = MoneyField()
    discount_total = MoneyField()
    tax_bands = TaxBandSerializer(many=True)
    tax_total = MoneyField()
    total = MoneyField()
    paid_total = MoneyField()
    change_due = MoneyField()
    tenders = ReceiptTenderSerializer(many=True)
    customer_name = serializers.CharField()
    loyalty_points_earned = serializers.IntegerField(allow_null=True)
    loyalty_points_balance = serializers.IntegerField(allow_null=True)
    qr_payload = serializers.URLField(help_text="The public receipt page the QR code opens.")
    voided = serializers.BooleanField()


RECEIPT_FORMATS = ["json", "html", "pdf", "escpos58", "escpos80"]


class SaleReceiptApi(APIView):
    """The receipt of a completed (or voided) sale, to show, print or send to a printer."""

    required_action = Action.SALES_SELL
    renderer_classes = [
        JSONRenderer,
        HTMLRenderer,
        PDFRenderer,
        EscPos58Renderer,
        EscPos80Renderer,
    ]

    @extend_schema(
        operation_id="sales_receipt",
        parameters=[OpenApiParameter("format", str, enum=RECEIPT_FORMATS)],
        responses={
            (200, "application/json"): ReceiptOutputSerializer,
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="Printable page"),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="80 mm"),
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="ESC/POS bytes for a 58 or 80 mm printer"
            ),
        },
    )
    def get(self, request: Request, sale_uuid: Any) -> Response:
        data = receipt_data(receipt_sale_get(sale_uuid))
        chosen = requested_format(request)
        name = f"receipt-{data.receipt_number}"
        if chosen == "html":
            return Response(render_html(data))
        if chosen == "pdf":
            return download(render_pdf(data), filename=f"{name}.pdf", inline=True)
        if chosen in ("escpos58", "escpos80"):
            escpos = render_escpos(data, width_mm=int(chosen[-2:]))
            return download(escpos, filename=f"{name}.{chosen}.bin")
        return shown(ReceiptOutputSerializer, data)


class SaleReceiptEmailApi(APIView):
    required_action = Action.SALES_SELL

    class InputSerializer(serializers.Serializer[Any]):
        to = serializers.EmailField()

    class OutputSerializer(serializers.Serializer[Any]):
        sent_to = serializers.EmailField()

    @extend_schema(
        operation_id="sales_receipt_email",
        request=InputSerializer,
        responses=OutputSerializer,
        description=(
            "Queues the receipt as an HTML e-mail with the PDF attached; a worker sends it "
            "and the notification log (`/api/v1/notifications/log/`) records how it went."
        ),
    )
    def post(self, request: Request, sale_uuid: Any) -> Response:
        data = validated(self.InputSerializer, request.data)
        to = receipt_email(sale=receipt_sale_get(sale_uuid), to=data["to"])
        return Response({"sent_to": to})


class ReceiptSettingsApi(APIView):
    required_actions = {"GET": Action.SALES_MANAGE, "PUT": Action.SALES_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        header = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
        vat_number = serializers.CharField(
            max_length=40, required=False, default="", allow_blank=True
        )
        phone = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
        footer = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)

    class OutputSerializer(serializers.Serializer[Any]):
        header = serializers.CharField()
        vat_number = serializers.CharField()
        phone = serializers.CharField()
        footer = serializers.CharField()

    @extend_schema(operation_id="sales_receipt_settings_get", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(receipt_settings()).data)

    @extend_schema(
        operation_id="sales_receipt_settings_set",
        request=InputSerializer,
        responses=OutputSerializer,
    )
    def put(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        saved = receipt_settings_set(**data)
        return Response(self.OutputSerializer(saved).data)
