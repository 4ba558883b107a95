"""Supplier invoices (bills), payments against them, and accounts payable."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import MoneyField, amount
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.query import query_id
from saas_platform.api.shaping import OutputModelSerializer, or_404, shown, validated
from saas_platform.money import money
from saas_platform.tenancy import business_today
from tenant_apps.purchasing.api.common import SupplierRefSerializer
from tenant_apps.purchasing.models import (
    InvoiceStatus,
    PaymentMethod,
    SupplierInvoice,
    SupplierPayment,
)
from tenant_apps.purchasing.selectors import (
    AGING_BUCKETS,
    payables_summary,
    supplier_invoice_get,
    supplier_invoice_list,
    supplier_payment_list,
)
from tenant_apps.purchasing.services import (
    supplier_invoice_create,
    supplier_invoice_void,
    supplier_payment_record,
)
from tenant_apps.staff.access import Action


class SupplierInvoiceOutputSerializer(OutputModelSerializer[SupplierInvoice]):
    supplier = SupplierRefSerializer()
    order = serializers.CharField(source="order.reference", allow_null=True, default=None)
    total = MoneyField()
    amount_paid = MoneyField()
    outstanding = MoneyField()

    class Meta:
        model = SupplierInvoice
        fields = [
            "id", "supplier", "order", "number", "invoice_date", "due_date", "total",
            "amount_paid", "outstanding", "status", "note", "created_at",
        ]  # fmt: skip


def _invoice_or_404(invoice_id: int) -> SupplierInvoice:
    return or_404(supplier_invoice_get(invoice_id), "No such supplier invoice.")


class SupplierInvoiceListCreateApi(APIView):
    required_actions = {"GET": Action.PURCHASING_VIEW, "POST": Action.PURCHASING_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        supplier = serializers.IntegerField()
        number = serializers.CharField(max_length=60, help_text="The supplier's invoice number.")
        invoice_date = serializers.DateField()
        due_date = serializers.DateField(
            required=False,
            allow_null=True,
            help_text="Leave out: the invoice date plus the supplier's payment terms.",
        )
        total = amount(min_value=Decimal("0.0001"))
        order = serializers.IntegerField(required=False, allow_null=True)
        note = serializers.CharField(max_length=500, required=False, allow_blank=True)

    @list_schema(
        SupplierInvoiceOutputSerializer,
        "SupplierInvoiceList",
        operation_id="purchasing_invoices_list",
        parameters=[
            OpenApiParameter("status", str, enum=InvoiceStatus.values),
            OpenApiParameter("supplier", int),
        ],
    )
    def get(self, request: Request) -> Response:
        invoices = supplier_invoice_list(
            supplier_id=query_id(request, "supplier"),
            status=request.query_params.get("status") or None,
        )
        return paginated(request, invoices, SupplierInvoiceOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: SupplierInvoiceOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        invoice = supplier_invoice_create(
            supplier_id=data["supplier"],
            number=data["number"],
            invoice_date=data["invoice_date"],
            due_date=data.get("due_date"),
            total=data["total"],
            order_id=data.get("order"),
            note=data.get("note", ""),
            actor=request.user,
        )
        body = SupplierInvoiceOutputSerializer(_invoice_or_404(invoice.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class SupplierInvoiceDetailApi(APIView):
    required_action = Action.PURCHASING_VIEW

    @extend_schema(responses=SupplierInvoiceOutputSerializer)
    def get(self, request: Request, invoice_id: int) -> Response:
        return shown(SupplierInvoiceOutputSerializer, _invoice_or_404(invoice_id))


class SupplierInvoiceVoidApi(APIView):
    required_action = Action.PURCHASING_MANAGE

    @extend_schema(request=None, responses=SupplierInvoiceOutputSerializer)
    def post(self, request: Request, invoice_id: int) -> Response:
        invoice = supplier_invoice_void(invoice_id=invoice_id)
        return shown(SupplierInvoiceOutputSerializer, _invoice_or_404(invoice.pk))


class SupplierPaymentOutputSerializer(OutputModelSerializer[SupplierPayment]):
    amount = MoneyField()
    created_by = serializers.EmailField(source="created_by.email", allow_null=True, default=None)

    class Meta:
        model = SupplierPayment
        fields = [
            "id", "invoice", "amount", "paid_on", "method", "reference", "created_by",
            "created_at",
        ]  # fmt: skip


class SupplierPaymentListCreateApi(APIView):
    required_actions = {"GET": Action.PURCHASING_VIEW, "POST": Action.PURCHASING_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        amount = amount()
        method = serializers.ChoiceField(choices=PaymentMethod.choices)
        paid_on = serializers.DateField(required=False, allow_null=True, help_text="Default today.")
        reference = serializers.CharField(
            max_length=100,
            required=False,
            allow_blank=True,
            help_text="e.g. the M-Pesa confirmation code or cheque number.",
        )

    @list_schema(
        SupplierPaymentOutputSerializer,
        "SupplierPaymentList",
        operation_id="purchasing_invoice_payments_list",
    )
    def get(self, request: Request, invoice_id: int) -> Response:
        _invoice_or_404(invoice_id)
        payments = supplier_payment_list(invoice_id=invoice_id)
        return paginated(request, payments, SupplierPaymentOutputSerializer)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: inline_serializer(
                "SupplierPaymentRecorded",
                {
                    "payment": SupplierPaymentOutputSerializer(),
                    "invoice": SupplierInvoiceOutputSerializer(),
                },
            )
        },
    )
    def post(self, request: Request, invoice_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        payment = supplier_payment_record(invoice_id=invoice_id, actor=request.user, **data)
        body = {
            "payment": SupplierPaymentOutputSerializer(payment).data,
            "invoice": SupplierInvoiceOutputSerializer(_invoice_or_404(invoice_id)).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


def _buckets_serializer(name: str) -> serializers.Serializer[Any]:
    return inline_serializer(name, {bucket: MoneyField() for bucket in AGING_BUCKETS})


class PayablesApi(APIView):
    """What the business owes its suppliers, per supplier, with the overdue part aged."""

    required_action = Action.PURCHASING_VIEW

    @extend_schema(
        operation_id="purchasing_payables",
        responses=inline_serializer(
            "Payables",
            {
                "as_of": serializers.DateField(help_text="Today in the business's time zone."),
                "outstanding": MoneyField(),
                "aging": _buckets_serializer("PayablesAging"),
                "suppliers": inline_serializer(
                    "SupplierPayables",
                    {
                        "supplier": SupplierRefSerializer(),
                        "invoice_count": serializers.IntegerField(),
                        "oldest_due_date": serializers.DateField(),
                        "outstanding": MoneyField(),
                        "aging": _buckets_serializer("SupplierPayablesAging"),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        payables = payables_summary(today=business_today())
        field = MoneyField()

        def shown(value: Decimal) -> dict[str, str] | None:
            return field.to_representation(money(value))

        return Response(
            {
                "as_of": payables.as_of.isoformat(),
                "outstanding": shown(payables.outstanding),
                "aging": {name: shown(value) for name, value in payables.buckets.items()},
                "suppliers": [
                    {
                        "supplier": {"id": row.supplier_id, "name": row.supplier_name},
                        "invoice_count": row.invoice_count,
                        "oldest_due_date": row.oldest_due_date,
                        "outstanding": shown(row.outstanding),
                        "aging": {name: shown(value) for name, value in row.buckets.items()},
                    }
                    for row in payables.suppliers
                ],
            }
        )
