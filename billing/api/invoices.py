"""Every business's invoices and credit notes for platform owners, and issuing a credit note."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from billing import selectors
from billing.api.console_shared import ConsoleApi, MinorMoneyField, TenantRefSerializer
from billing.minor_units import from_minor
from billing.models import InvoiceStatus
from billing.services.credit_notes import credit_note_issue
from saas_platform.api import fields as api_fields
from saas_platform.api.fields import MoneyField
from saas_platform.api.pagination import PageQuerySerializer, list_schema, paginated
from saas_platform.api.shaping import created, shown, validated

# The widest amount of minor units an invoice column holds (a bigint).
MAX_MINOR = 2**63 - 1


class InvoiceOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    tenant = TenantRefSerializer()
    status = serializers.CharField()
    currency = serializers.CharField()
    plan = serializers.CharField(source="plan_code")
    issued_for = serializers.DateTimeField()
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    subtotal = MinorMoneyField("subtotal_minor")
    tax_name = serializers.CharField()
    tax_rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    tax = MinorMoneyField("tax_minor")
    total = MinorMoneyField("total_minor")
    total_minor = serializers.IntegerField()
    credited_before_payment = MinorMoneyField(
        "credited_minor", help_text="What credit notes took off before it was paid."
    )
    amount_due = MinorMoneyField("amount_due_minor")
    gateway = serializers.CharField()
    finalized_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)


class InvoiceLineOutput(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    kind = serializers.CharField()
    description = serializers.CharField()
    metric = serializers.CharField(source="metric_code")
    units = serializers.DecimalField(max_digits=20, decimal_places=4)
    free_units = serializers.DecimalField(max_digits=20, decimal_places=4)
    billable_units = serializers.DecimalField(max_digits=20, decimal_places=4)
    amount_minor = serializers.IntegerField(help_text="Negative for credits.")


class AttemptOutput(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    reference = serializers.CharField()
    gateway = serializers.CharField()
    status = serializers.CharField()
    amount = MinorMoneyField("amount_minor")
    failure_code = serializers.CharField()
    failure_message = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class CreditNoteOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    tenant = TenantRefSerializer()
    invoice = serializers.IntegerField(source="invoice_id")
    invoice_number = serializers.CharField(source="invoice.number", allow_null=True)
    amount = MinorMoneyField("amount_minor")
    amount_minor = serializers.IntegerField()
    reason = serializers.CharField()
    issued_by = serializers.CharField()
    applied_to = serializers.IntegerField(
        source="applied_to_id", allow_null=True, help_text="The invoice that took the credit."
    )
    created_at = serializers.DateTimeField()


class InvoiceDetailOutput(InvoiceOutput):
    lines = InvoiceLineOutput(many=True, source="lines.all")
    attempts = AttemptOutput(many=True, source="attempts.all")
    credit_notes = CreditNoteOutput(many=True, source="credit_notes.all")
    creditable = serializers.SerializerMethodField(
        help_text="What a credit note may still take off (the total less earlier notes)."
    )

    @extend_schema_field(MoneyField)
    def get_creditable(self, invoice: Any) -> dict[str, str] | None:
        left = invoice.total_minor - selectors.invoice_credited_minor(invoice)
        return MoneyField().to_representation(from_minor(left, invoice.currency))


class InvoiceListApi(ConsoleApi):
    """Issued invoices of every business, newest first."""

    class FilterSerializer(PageQuerySerializer):
        tenant = serializers.SlugField(max_length=63, required=False, help_text="A slug.")
        status = serializers.ChoiceField(
            choices=[c for c in InvoiceStatus.choices if c[0] != InvoiceStatus.DRAFT],
            required=False,
        )
        past_due = serializers.BooleanField(
            required=False, default=False, help_text="Only invoices owed after a failed charge."
        )

    @list_schema(
        InvoiceOutput,
        "BillingInvoicePage",
        parameters=[FilterSerializer],
        operation_id="console_billing_invoice_list",
    )
    def get(self, request: Request) -> Response:
        filters = validated(self.FilterSerializer, request.query_params)
        invoices = selectors.console_invoice_list(
            tenant_slug=filters.get("tenant", ""),
            status=filters.get("status", ""),
            past_due=filters["past_due"],
        )
        return paginated(request, invoices, InvoiceOutput)


class InvoiceDetailApi(ConsoleApi):
    """One invoice with its lines, charge attempts and credit notes."""

    @extend_schema(responses=InvoiceDetailOutput)
    def get(self, request: Request, invoice_id: int) -> Response:
        return shown(InvoiceDetailOutput, selectors.console_invoice_get(invoice_id))


class CreditNoteInput(serializers.Serializer[Any]):
    amount = api_fields.amount(
        required=False,
        min_value=Decimal("0.0001"),
        help_text='In the invoice\'s currency ("12.50"); or give `amount_minor`.',
    )
    amount_minor = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_MINOR, help_text="Minor units (1250)."
    )
    reason = serializers.CharField(max_length=300)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("amount" in attrs) == ("amount_minor" in attrs):
            raise serializers.ValidationError(
                {"amount": "Give the amount, either `amount` or `amount_minor`."},
                code="required",
            )
        return attrs


class InvoiceCreditNotesApi(ConsoleApi):
    """Issues a credit note on the invoice: at most what earlier notes left of its total. On
    an unpaid invoice it lowers what is due; on a paid one the next invoice takes it."""

    @extend_schema(request=CreditNoteInput, responses={201: CreditNoteOutput})
    def post(self, request: Request, invoice_id: int) -> Response:
        data = validated(CreditNoteInput, request.data)
        note = credit_note_issue(
            invoice_id=invoice_id,
            amount=data.get("amount"),
            amount_minor=data.get("amount_minor"),
            reason=data["reason"],
            issued_by=request.user.email,  # type: ignore[union-attr]
        )
        return created(CreditNoteOutput, note)


class CreditNoteListApi(ConsoleApi):
    """Credit notes of every business, newest first."""

    class FilterSerializer(PageQuerySerializer):
        tenant = serializers.SlugField(max_length=63, required=False, help_text="A slug.")
        invoice = serializers.IntegerField(min_value=1, max_value=MAX_MINOR, required=False)

    @list_schema(
        CreditNoteOutput,
        "BillingCreditNotePage",
        parameters=[FilterSerializer],
        operation_id="console_billing_credit_note_list",
    )
    def get(self, request: Request) -> Response:
        filters = validated(self.FilterSerializer, request.query_params)
        notes = selectors.console_credit_note_list(
            tenant_slug=filters.get("tenant", ""), invoice_id=filters.get("invoice")
        )
        return paginated(request, notes, CreditNoteOutput)
