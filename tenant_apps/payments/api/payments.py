"""Payments, provider accounts and C2B payments, for staff and integrations."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import MoneyField
from saas_platform.api.pagination import PageQuerySerializer, list_schema, paginated
from saas_platform.api.shaping import OutputModelSerializer, shown, validated
from saas_platform.api.sync import SyncQuerySerializer
from saas_platform.errors import NotFound
from tenant_apps.payments.handlers import payment_purposes
from tenant_apps.payments.models import (
    ACCOUNT_PROVIDERS,
    C2BPayment,
    C2BStatus,
    Payment,
    PaymentRefund,
    PaymentStatus,
    ProviderAccount,
)
from tenant_apps.payments.selectors import (
    c2b_list,
    payment_get,
    payment_list,
    provider_account_get,
    provider_account_list,
)
from tenant_apps.payments.services.accounts import account_urls, provider_account_set
from tenant_apps.payments.services.lifecycle import payment_query, payment_resolve
from tenant_apps.staff.access import Action

# --- payments ---------------------------------------------------------------------------------


class RefundOutputSerializer(OutputModelSerializer[PaymentRefund]):
    amount = MoneyField()

    class Meta:
        model = PaymentRefund
        fields = ["reference", "amount", "method", "status", "receipt", "result_code",
                  "result_message", "created_at", "settled_at"]  # fmt: skip


class PaymentOutputSerializer(OutputModelSerializer[Payment]):
    id = serializers.UUIDField(source="public_id")
    amount = MoneyField()
    refunded_amount = MoneyField()
    refunds = RefundOutputSerializer(many=True)

    class Meta:
        model = Payment
        fields = [
            "id", "provider", "purpose", "purpose_ref", "amount", "payer", "account_reference",
            "status", "provider_reference", "receipt", "redirect_url", "result_code",
            "result_message", "refunded_amount", "refunds", "deadline_at", "next_query_at",
            "resolution_note", "created_at", "settled_at", "updated_at",
        ]  # fmt: skip


class PaymentFilterSerializer(SyncQuerySerializer):
    """The list's filters: each a known value or a 400 (never a query PostgreSQL refuses)."""

    status = serializers.ChoiceField(choices=PaymentStatus.values, required=False)
    purpose = serializers.CharField(required=False, max_length=40)
    purpose_ref = serializers.CharField(required=False, max_length=64)

    def validate_purpose(self, value: str) -> str:
        known = payment_purposes()
        if value not in known:
            raise serializers.ValidationError(
                f"Not a payment purpose; one of: {', '.join(known)}.", code="invalid_choice"
            )
        return value


PAYMENT_FILTERS = [
    OpenApiParameter("status", str, enum=PaymentStatus.values),
    OpenApiParameter("purpose", str, description="What the payment is for, e.g. `sale`."),
    OpenApiParameter("purpose_ref", str, description="e.g. the sale's UUID."),
]


def _filters(serializer_class: type[serializers.Serializer[Any]], request: Request) -> Any:
    # Only the parameters the serializer knows (its filters and the page): others are ignored.
    names = [str(name) for name in serializer_class().fields]
    known = {name: request.query_params[name] for name in names if name in request.query_params}
    serializer = serializer_class(data=known)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PaymentListApi(APIView):
    required_action = Action.SALES_VIEW

    @list_schema(
        PaymentOutputSerializer,
        "PaymentPage",
        operation_id="payments_list",
        parameters=[*PAYMENT_FILTERS, SyncQuerySerializer],
    )
    def get(self, request: Request) -> Response:
        filters = _filters(PaymentFilterSerializer, request)
        payments = payment_list(
            status=filters.get("status", ""),
            purpose=filters.get("purpose", ""),
            purpose_ref=filters.get("purpose_ref", ""),
            updated_since=filters.get("updated_since"),
        )
        return paginated(
            request, payments, PaymentOutputSerializer, since=filters.get("updated_since")
        )


class PaymentDetailApi(APIView):
    """What the till polls while the customer confirms on their phone."""

    required_action = Action.SALES_SELL

    @extend_schema(operation_id="payments_retrieve", responses=PaymentOutputSerializer)
    def get(self, request: Request, public_id: UUID) -> Response:
        return shown(PaymentOutputSerializer, payment_get(public_id))


class PaymentQueryApi(APIView):
    """Asks the provider now (the customer says they paid; the callback has not come)."""

    required_action = Action.SALES_SELL

    @extend_schema(request=None, responses=PaymentOutputSerializer)
    def post(self, request: Request, public_id: UUID) -> Response:
        payment = payment_query(payment_id=payment_get(public_id).pk)
        return shown(PaymentOutputSerializer, payment_get(payment.public_id))


class PaymentResolveApi(APIView):
    """A manager settles a payment whose outcome the provider never told us."""

    required_action = Action.SALES_REFUND

    class InputSerializer(serializers.Serializer[Any]):
        outcome = serializers.ChoiceField(choices=["succeeded", "failed", "cancelled"])
        note = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses=PaymentOutputSerializer)
    def post(self, request: Request, public_id: UUID) -> Response:
        data = validated(self.InputSerializer, request.data)
        payment = payment_resolve(
            payment_id=payment_get(public_id).pk,
            outcome=data["outcome"],
            note=data["note"],
            actor=request.user,
        )
        return shown(PaymentOutputSerializer, payment_get(payment.public_id))


# --- provider accounts ------------------------------------------------------------------------


def masked(value: Any) -> str:
    """Enough to recognise which key is stored, never enough to use it."""
    text = str(value)
    return f"…{text[-4:]}" if len(text) >= 16 else "…"


class ProviderAccountOutputSerializer(OutputModelSerializer[ProviderAccount]):
    credentials = serializers.SerializerMethodField()
    urls = serializers.SerializerMethodField()

    class Meta:
        model = ProviderAccount
        fields = ["provider", "base_url", "is_active", "credentials", "urls",
                  "created_at", "updated_at"]  # fmt: skip

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_credentials(self, account: ProviderAccount) -> dict[str, str]:
        return {str(key): masked(value) for key, value in (account.credentials or {}).items()}

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_urls(self, account: ProviderAccount) -> dict[str, str]:
        """Where to point the provider (C2B URLs, or the result webhook)."""
        return account_urls(account)


def _provider(provider: str) -> str:
    if provider not in ACCOUNT_PROVIDERS:
        raise NotFound(f"No provider {provider}.")
    return provider


class ProviderAccountApi(APIView):
    """A provider account: secrets go in, never out (values come back masked)."""

    # The C2B URLs carry the token that lets a caller post paybill payments: owners only.
    required_action = Action.BUSINESS_MANAGE

    class InputSerializer(serializers.Serializer[Any]):
        base_url = serializers.URLField(max_length=300)
        credentials = serializers.DictField(
            child=serializers.CharField(allow_blank=True, max_length=8000, trim_whitespace=False),
            required=False,
            default=dict,
            help_text="Keys to set; an empty value removes a key; keys not sent are kept.",
        )
        is_active = serializers.BooleanField(default=True)

    @extend_schema(operation_id="payments_providers_retrieve",
                   responses=ProviderAccountOutputSerializer)  # fmt: skip
    def get(self, request: Request, provider: str) -> Response:
        account = provider_account_get(_provider(provider))
        return shown(ProviderAccountOutputSerializer, account)

    @extend_schema(request=InputSerializer, responses=ProviderAccountOutputSerializer)
    def put(self, request: Request, provider: str) -> Response:
        data = validated(self.InputSerializer, request.data)
        account = provider_account_set(
            provider=_provider(provider),
            base_url=data["base_url"],
            credentials=data["credentials"],
            is_active=data["is_active"],
            actor=request.user,
        )
        return shown(ProviderAccountOutputSerializer, account)


class ProviderAccountListApi(APIView):
    required_action = Action.BUSINESS_MANAGE

    @list_schema(
        ProviderAccountOutputSerializer,
        "ProviderAccountList",
        operation_id="payments_providers_list",
    )
    def get(self, request: Request) -> Response:
        return paginated(request, provider_account_list(), ProviderAccountOutputSerializer)


# --- C2B --------------------------------------------------------------------------------------


class C2BOutputSerializer(OutputModelSerializer[C2BPayment]):
    amount = MoneyField()

    class Meta:
        model = C2BPayment
        fields = ["id", "trans_id", "amount", "bill_ref", "msisdn", "payer_name", "trans_time",
                  "status", "matched_by", "created_at"]  # fmt: skip


class C2BFilterSerializer(PageQuerySerializer):
    status = serializers.ChoiceField(choices=C2BStatus.values, required=False)


class C2BListApi(APIView):
    required_action = Action.SALES_VIEW

    @list_schema(
        C2BOutputSerializer,
        "C2BPage",
        operation_id="payments_c2b_list",
        parameters=[OpenApiParameter("status", str, enum=C2BStatus.values)],
    )
    def get(self, request: Request) -> Response:
        filters = _filters(C2BFilterSerializer, request)
        payments = c2b_list(status=filters.get("status", ""))
        return paginated(request, payments, C2BOutputSerializer)
