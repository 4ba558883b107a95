"""The business's own billing, on its own host: ``/api/v1/billing/`` (docs/billing-account.md).

Its subscription, usage and upcoming invoice, its invoices and credit notes, the plans it may
move to, and its payment method. Owners and accountants read (``billing.view``); only owners
change anything (``billing.manage``); API keys never reach it. Every read is of the current
business (``current_business()``): an id of another business's invoice is a 404.

While billing holds the business (suspended or cancelled for an unpaid invoice) these routes
stay open to writes (the namespace is in billing/standing.py), so that it can save a payment
method and pay; the subscription services themselves refuse plan changes and cancellations
while it is suspended (402).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import overview, selectors
from billing.gateways.base import GatewayError
from billing.invoice_pdf import credit_note_pdf, invoice_pdf
from billing.minor_units import from_minor
from billing.models import Interval
from billing.services.accounts import account_start_setup
from billing.services.subscriptions import (
    CHANGE_TIMINGS,
    subscription_cancel,
    subscription_change_plan,
    subscription_reactivate,
)
from saas_platform.api.fields import MoneyField
from saas_platform.api.openapi_errors import Error
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.renderers import file_response
from saas_platform.api.shaping import validated
from saas_platform.errors import DukaError
from saas_platform.tenancy import current_business
from shared_apps.tenants.links import tenant_url
from tenant_apps.staff.access import Action

VIEW = Action.BILLING_VIEW
MANAGE = Action.BILLING_MANAGE


class GatewayUnavailable(DukaError):
    code = "gateway_unavailable"
    status = 502
    default_message = "The payment gateway did not answer; try again in a minute."


# --- output ----------------------------------------------------------------------------------


@extend_schema_field(MoneyField)
class MinorMoneyField(serializers.Field):
    """An amount kept in minor units (``<name>_minor``), shown as money. The currency is the
    row's own (an invoice's) or, for rows without one (its lines), the answer's."""

    def __init__(self, minor: str, **kwargs: Any) -> None:
        self.minor = minor
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> dict[str, str] | None:
        currency = getattr(value, "currency", None) or self.context["currency"]
        return MoneyField().to_representation(from_minor(getattr(value, self.minor), currency))


class BillingPlanSummaryOutput(serializers.Serializer[Any]):
    code = serializers.CharField(source="plan.code")
    name = serializers.CharField(source="plan.name")
    interval = serializers.ChoiceField(source="plan.interval", choices=Interval.choices)
    price = MoneyField(
        allow_null=True, help_text="The base fee per interval; null: not sold in the currency."
    )


class BillingLimitOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    allowed = serializers.IntegerField(allow_null=True, help_text="Null: unlimited.")
    in_use = serializers.IntegerField(help_text="How many the business has now.")


class BillingFeatureOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    included = serializers.BooleanField()


class BillingEntitlementsOutput(serializers.Serializer[Any]):
    limits = BillingLimitOutput(many=True)
    features = BillingFeatureOutput(many=True)


class BillingPaymentMethodOutput(serializers.Serializer[Any]):
    saved = serializers.BooleanField()
    kind = serializers.CharField(help_text="card, mobile_money…; empty when none is saved.")
    label = serializers.CharField(  # type: ignore[assignment]
        help_text='"Visa •••• 4242"; empty when none is saved.'
    )


class BillingSubscriptionOutput(serializers.Serializer[Any]):
    plan = BillingPlanSummaryOutput()
    currency = serializers.CharField(source="subscription.currency")
    status = serializers.CharField(source="subscription.status")
    trial_end = serializers.DateTimeField(source="subscription.trial_end", allow_null=True)
    current_period_start = serializers.DateTimeField(source="subscription.current_period_start")
    current_period_end = serializers.DateTimeField(source="subscription.current_period_end")
    cancel_at_period_end = serializers.BooleanField(source="subscription.cancel_at_period_end")
    pending_plan = BillingPlanSummaryOutput(
        allow_null=True, help_text="Takes effect when the current period ends; null: none."
    )
    next_invoice_at = serializers.DateTimeField(
        source="subscription.next_invoice_at", allow_null=True
    )
    entitlements = BillingEntitlementsOutput(source="*")
    gateway = serializers.CharField(help_text="stripe or paystack")
    payment_method = BillingPaymentMethodOutput()


class BillingTierOutput(serializers.Serializer[Any]):
    tier = serializers.IntegerField(help_text="1-based; 0 for standard and package charges.")
    units = serializers.CharField()
    unit_amount = serializers.CharField()
    flat_amount = serializers.CharField()
    amount_minor = serializers.IntegerField()


class BillingLineOutput(serializers.Serializer[Any]):
    kind = serializers.CharField()
    description = serializers.CharField()
    metric_code = serializers.CharField()
    units = serializers.DecimalField(max_digits=20, decimal_places=4)
    free_units = serializers.DecimalField(max_digits=20, decimal_places=4)
    billable_units = serializers.DecimalField(max_digits=20, decimal_places=4)
    amount = MinorMoneyField("amount_minor")
    amount_minor = serializers.IntegerField(help_text="Negative for credits.")
    tiers = BillingTierOutput(many=True)


class BillingUsageLineOutput(BillingLineOutput):
    included = serializers.DecimalField(
        max_digits=20, decimal_places=4, help_text="Free units of the charge per period."
    )


class BillingUsageOutput(serializers.Serializer[Any]):
    currency = serializers.CharField()
    start = serializers.DateTimeField(help_text="Since the last invoice.")
    end = serializers.DateTimeField(help_text="Now.")
    charged = serializers.BooleanField(help_text="False during a trial: its usage is free.")
    lines = BillingUsageLineOutput(many=True)
    amount = MinorMoneyField("amount_minor", help_text="So far (0 during a trial).")
    amount_minor = serializers.IntegerField()


class BillingUpcomingInvoiceOutput(serializers.Serializer[Any]):
    due_at = serializers.DateTimeField(source="boundary", help_text="When it will be issued.")
    currency = serializers.CharField()
    plan = serializers.CharField(source="plan_code")
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    usage_start = serializers.DateTimeField(allow_null=True)
    usage_end = serializers.DateTimeField(allow_null=True)
    lines = BillingLineOutput(many=True)
    subtotal = MinorMoneyField("subtotal_minor")
    subtotal_minor = serializers.IntegerField()
    tax_name = serializers.SerializerMethodField()
    tax_rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    tax = MinorMoneyField("tax_minor")
    tax_minor = serializers.IntegerField()
    total = MinorMoneyField("total_minor")
    total_minor = serializers.IntegerField()

    def get_tax_name(self, draft: Any) -> str:
        return draft.tax.name if draft.tax else ""


class BillingCreditNoteRefOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    amount = MinorMoneyField("amount_minor")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class BillingInvoiceOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    issued_for = serializers.DateTimeField(help_text="The boundary it is for.")
    finalized_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    plan = serializers.CharField(source="plan_code")
    currency = serializers.CharField()
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    subtotal = MinorMoneyField("subtotal_minor")
    tax = MinorMoneyField("tax_minor")
    total = MinorMoneyField("total_minor")
    total_minor = serializers.IntegerField()
    amount_due = MinorMoneyField("amount_due_minor")
    amount_due_minor = serializers.IntegerField()
    pdf = serializers.SerializerMethodField(help_text="Its A4 PDF.")

    def get_pdf(self, invoice: Any) -> str:
        return reverse("billing-account:invoice-pdf", kwargs={"invoice_id": invoice.pk})


class BillingInvoiceDetailOutput(BillingInvoiceOutput):
    usage_start = serializers.DateTimeField(allow_null=True)
    usage_end = serializers.DateTimeField(allow_null=True)
    subtotal_minor = serializers.IntegerField()
    tax_name = serializers.CharField()
    tax_rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    tax_minor = serializers.IntegerField()
    credited = MinorMoneyField("credited_minor", help_text="Taken off by credit notes.")
    lines = BillingLineOutput(many=True, source="lines.all")
    credit_notes = BillingCreditNoteRefOutput(many=True, source="credit_notes.all")


class BillingCreditNoteOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    invoice = serializers.CharField(source="invoice.number", help_text="The invoice it credits.")
    applied_to = serializers.CharField(
        source="applied_to.number",
        allow_null=True,
        default=None,
        help_text="The invoice that took this credit (a paid invoice's credit); null: none yet.",
    )
    currency = serializers.CharField()
    amount = MinorMoneyField("amount_minor")
    amount_minor = serializers.IntegerField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    pdf = serializers.SerializerMethodField()

    def get_pdf(self, note: Any) -> str:
        return reverse("billing-account:credit-note-pdf", kwargs={"credit_note_id": note.pk})


class BillingChargeTermsOutput(serializers.Serializer[Any]):
    metric = serializers.CharField(source="metric_code")
    name = serializers.CharField(source="metric_name")
    model = serializers.CharField(source="terms.model")
    free_units = serializers.DecimalField(
        source="terms.free_units", max_digits=20, decimal_places=3
    )
    unit_amount = serializers.DecimalField(
        source="terms.unit_amount", max_digits=18, decimal_places=6, allow_null=True
    )
    package_size = serializers.IntegerField(source="terms.package_size", allow_null=True)
    tiers = serializers.SerializerMethodField()

    def get_tiers(self, charge: Any) -> list[dict[str, str | None]]:
        return [
            {
                "up_to": None if tier.up_to is None else str(tier.up_to),
                "unit_amount": str(tier.unit_amount),
                "flat_amount": str(tier.flat_amount),
            }
            for tier in charge.terms.tiers
        ]


class BillingPlanOfferOutput(serializers.Serializer[Any]):
    code = serializers.CharField(source="plan.code")
    name = serializers.CharField(source="plan.name")
    interval = serializers.ChoiceField(source="plan.interval", choices=Interval.choices)
    trial_days = serializers.IntegerField(source="plan.trial_days")
    price = MoneyField(allow_null=True, help_text="Null: not sold in the business's currency.")
    current = serializers.BooleanField(help_text="The business's plan now.")
    limits = BillingLimitOutput(many=True)
    features = BillingFeatureOutput(many=True)
    charges = BillingChargeTermsOutput(many=True)


class BillingSetupOutput(serializers.Serializer[Any]):
    url = serializers.URLField(help_text="The gateway's page where the owner saves a method.")


def _answer(serializer_class: Any, instance: Any, currency: str) -> Response:
    return Response(serializer_class(instance, context={"currency": currency}).data)


def _subscription_answer() -> Response:
    return Response(
        BillingSubscriptionOutput(overview.subscription_overview(tenant=current_business())).data
    )


NO_SUBSCRIPTION = OpenApiResponse(Error, description="The business has no subscription.")


# --- reads -----------------------------------------------------------------------------------


class SubscriptionDetailApi(APIView):
    required_action = VIEW

    @extend_schema(
        operation_id="billing_subscription",
        responses={200: BillingSubscriptionOutput, 404: NO_SUBSCRIPTION},
    )
    def get(self, request: Request) -> Response:
        return _subscription_answer()


class UsageDetailApi(APIView):
    required_action = VIEW

    @extend_schema(
        operation_id="billing_usage",
        responses={200: BillingUsageOutput, 404: NO_SUBSCRIPTION},
        description="Usage not invoiced yet, per charge of the plan, priced as the invoice will.",
    )
    def get(self, request: Request) -> Response:
        usage = overview.usage_so_far(tenant=current_business(), now=timezone.now())
        return _answer(BillingUsageOutput, usage, usage.currency)


class UpcomingInvoiceDetailApi(APIView):
    required_action = VIEW

    @extend_schema(
        operation_id="billing_upcoming_invoice",
        responses={
            200: BillingUpcomingInvoiceOutput,
            404: OpenApiResponse(
                Error, description="No subscription, or none coming (`no_upcoming_invoice`)."
            ),
        },
        description=(
            "An estimate of the next invoice with the usage so far, priced by the billing run's "
            "own code. Nothing is written."
        ),
    )
    def get(self, request: Request) -> Response:
        draft = overview.upcoming_invoice(tenant=current_business(), now=timezone.now())
        return _answer(BillingUpcomingInvoiceOutput, draft, draft.currency)


class PlanListApi(APIView):
    required_action = VIEW

    @extend_schema(
        operation_id="billing_plan_list",
        responses={200: BillingPlanOfferOutput(many=True), 404: NO_SUBSCRIPTION},
    )
    def get(self, request: Request) -> Response:
        offers = overview.plan_offers(tenant=current_business())
        return Response(BillingPlanOfferOutput(offers, many=True).data)


class InvoiceListApi(APIView):
    required_action = VIEW

    @list_schema(BillingInvoiceOutput, "BillingInvoicePage", operation_id="billing_invoice_list")
    def get(self, request: Request) -> Response:
        return paginated(
            request, selectors.invoice_list(tenant=current_business()), BillingInvoiceOutput
        )


class InvoiceDetailApi(APIView):
    required_action = VIEW

    @extend_schema(operation_id="billing_invoice", responses=BillingInvoiceDetailOutput)
    def get(self, request: Request, invoice_id: int) -> Response:
        invoice = selectors.invoice_get(tenant=current_business(), invoice_id=invoice_id)
        return _answer(BillingInvoiceDetailOutput, invoice, invoice.currency)


class InvoicePdfApi(APIView):
    required_action = VIEW

    @extend_schema(
        operation_id="billing_invoice_pdf",
        responses={(200, "application/pdf"): OpenApiResponse(bytes, description="A4")},
    )
    def get(self, request: Request, invoice_id: int) -> HttpResponse:
        invoice = selectors.invoice_get(tenant=current_business(), invoice_id=invoice_id)
        return file_response(
            invoice_pdf(invoice), media_type="application/pdf", filename=f"{invoice.number}.pdf"
        )


class CreditNoteListApi(APIView):
    required_action = VIEW

    @list_schema(
        BillingCreditNoteOutput, "BillingCreditNotePage", operation_id="billing_credit_note_list"
    )
    def get(self, request: Request) -> Response:
        notes = selectors.credit_note_list(tenant=current_business())
        return paginated(request, notes, BillingCreditNoteOutput)


class CreditNotePdfApi(APIView):
    required_action = VIEW

    @extend_schema(
        operation_id="billing_credit_note_pdf",
        responses={(200, "application/pdf"): OpenApiResponse(bytes, description="A4")},
    )
    def get(self, request: Request, credit_note_id: int) -> HttpResponse:
        note = selectors.credit_note_get(tenant=current_business(), credit_note_id=credit_note_id)
        return file_response(
            credit_note_pdf(note), media_type="application/pdf", filename=f"{note.number}.pdf"
        )


# --- writes (owners) -------------------------------------------------------------------------


class _Write(APIView):
    required_action = MANAGE
    # Documents the 402 these writes give while the business is suspended (or, for a
    # reactivation, still owes): the subscription services refuse them (billing/standing.py).
    plan_limited_methods = ("POST",)


class SubscriptionPlanApi(_Write):
    class InputSerializer(serializers.Serializer[Any]):
        plan = serializers.SlugField(max_length=40, help_text="The code of an active plan.")
        when = serializers.ChoiceField(
            choices=CHANGE_TIMINGS,
            help_text="now: prorated from now; period_end: when the current period ends.",
        )

    @extend_schema(
        operation_id="billing_subscription_plan",
        request=InputSerializer,
        responses={200: BillingSubscriptionOutput},
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        subscription_change_plan(
            tenant=current_business(), plan_code=data["plan"], when=data["when"]
        )
        return _subscription_answer()


class SubscriptionCancelApi(_Write):
    @extend_schema(
        operation_id="billing_subscription_cancel",
        request=None,
        responses={200: BillingSubscriptionOutput},
        description="Cancels at the end of the current period (or trial).",
    )
    def post(self, request: Request) -> Response:
        subscription_cancel(tenant=current_business())
        return _subscription_answer()


class SubscriptionReactivateApi(_Write):
    @extend_schema(
        operation_id="billing_subscription_reactivate",
        request=None,
        responses={200: BillingSubscriptionOutput},
        description=(
            "Withdraws a pending cancellation, or starts a new period of a cancelled "
            "subscription that owes nothing (one cancelled for non-payment is reactivated by "
            "paying: 402)."
        ),
    )
    def post(self, request: Request) -> Response:
        subscription_reactivate(tenant=current_business())
        return _subscription_answer()


class PaymentMethodSetupApi(_Write):
    @extend_schema(
        operation_id="billing_payment_method_setup",
        request=None,
        responses={
            200: BillingSetupOutput,
            502: OpenApiResponse(Error, description="The gateway did not answer."),
        },
        description=(
            "Where to send the owner to save a payment method: the gateway's own page. It "
            "returns the owner to this business's billing page, which saves the method."
        ),
    )
    def post(self, request: Request) -> Response:
        tenant = current_business()
        # Always our own page on this business's host: no request chooses where the gateway
        # sends the owner afterwards.
        return_url = tenant_url(tenant, "billing-page:payment-method-return")
        try:
            session = account_start_setup(tenant=tenant, return_url=return_url)
        except GatewayError as error:
            raise GatewayUnavailable() from error
        return Response(BillingSetupOutput({"url": session.url}).data)
