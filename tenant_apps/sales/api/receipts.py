"""A sale's receipt in every format a till needs, e-mailing it, and what receipts print."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import MoneyField, quantity
from saas_platform.errors import Conflict, NotFound, ValidationFailed
from tenant_apps.sales.models import Sale, SaleStatus
from tenant_apps.sales.receipts.config import receipt_settings_set
from tenant_apps.sales.receipts.data import receipt_data, receipt_settings
from tenant_apps.sales.receipts.mail import receipt_email
from tenant_apps.sales.receipts.render import render_escpos, render_html, render_pdf
from tenant_apps.sales.selectors import sale_detail
from tenant_apps.staff.access import Action


class PassThroughRenderer(BaseRenderer):
    """Sends bytes or text the view made; an error body goes out as the JSON it is."""

    charset: str | None = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, dict):
            response = (renderer_context or {}).get("response")
            if response is not None:
                response["Content-Type"] = "application/json"
            return json.dumps(data).encode("utf-8")
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)


class HTMLRenderer(PassThroughRenderer):
    media_type = "text/html"
    format = "html"
    charset = "utf-8"
    render_style = "text"


class PDFRenderer(PassThroughRenderer):
    media_type = "application/pdf"
    format = "pdf"


class EscPos58Renderer(PassThroughRenderer):
    media_type = "application/octet-stream"
    format = "escpos58"


class EscPos80Renderer(PassThroughRenderer):
    media_type = "application/octet-stream"
    format = "escpos80"


class CSVRenderer(PassThroughRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    render_style = "text"


class FormatChecked:
    """An unknown ``?format=`` is the caller's mistake (400), not a missing page (404)."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        try:
            return super().perform_content_negotiation(request, force)  # type: ignore[misc]
        except Http404:
            formats = [r.format for r in self.get_renderers()]  # type: ignore[attr-defined]
            raise ValidationFailed.for_field(
                "format", "invalid", f"Use one of: {', '.join(formats)}."
            ) from None


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


def printable_sale(sale_uuid: Any) -> Sale:
    sale = sale_detail(str(sale_uuid))
    if sale is None:
        raise NotFound("No such sale.")
    if sale.status not in (SaleStatus.COMPLETED, SaleStatus.VOIDED):
        raise Conflict(
            f"This sale is {sale.status.replace('_', ' ')}; it has a receipt once it is paid.",
            code="no_receipt_yet",
        )
    return sale


RECEIPT_FORMATS = ["json", "html", "pdf", "escpos58", "escpos80"]


class SaleReceiptApi(FormatChecked, APIView):
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
        data = receipt_data(printable_sale(sale_uuid))
        chosen = getattr(request.accepted_renderer, "format", "json")
        name = f"receipt-{data.receipt_number}"
        if chosen == "html":
            return Response(render_html(data))
        if chosen == "pdf":
            response = Response(render_pdf(data))
            response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
            return response
        if chosen in ("escpos58", "escpos80"):
            response = Response(render_escpos(data, width_mm=int(chosen[-2:])))
            response["Content-Disposition"] = f'attachment; filename="{name}.{chosen}.bin"'
            return response
        return Response(ReceiptOutputSerializer(data).data)


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
        description="Sends the receipt as an HTML e-mail with the PDF attached.",
    )
    def post(self, request: Request, sale_uuid: Any) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        to = serializer.validated_data["to"]
        receipt_email(sale=printable_sale(sale_uuid), to=to)
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
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = receipt_settings_set(**serializer.validated_data)
        return Response(self.OutputSerializer(saved).data)
