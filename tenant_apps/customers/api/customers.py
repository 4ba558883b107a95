"""Customers and their accounts: list, add, read, change; history, payments, adjustments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from moneyed import Money
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api import fields as api_fields
from saas_platform.api.fields import MoneyField, amount
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.query import query_flag
from saas_platform.api.shaping import OutputModelSerializer, or_404, validated
from saas_platform.api.sync import SyncQuerySerializer, updated_since
from saas_platform.tenancy import business_currency
from tenant_apps.customers.models import CreditEntry, Customer, LoyaltyEntry, PaymentMethod
from tenant_apps.customers.selectors import (
    credit_entries,
    customer_get,
    customer_list,
    loyalty_entries,
    loyalty_settings_get,
)
from tenant_apps.customers.services import (
    credit_adjust,
    customer_create,
    customer_payment_receive,
    customer_update,
    loyalty_value,
)
from tenant_apps.staff.access import Action


def as_money(value: Decimal) -> Money:
    return Money(value, business_currency())


class CustomerOutputSerializer(OutputModelSerializer[Customer]):
    credit_limit = MoneyField()
    balance = MoneyField(help_text="Positive: the customer owes; negative: store credit.")
    available_credit = serializers.SerializerMethodField()
    loyalty_value = serializers.SerializerMethodField()
    price_list = serializers.IntegerField(source="price_list_id", allow_null=True)

    class Meta:
        model = Customer
        fields = [
            "id", "code", "name", "phone", "email", "tax_id", "credit_limit",
            "payment_terms_days", "balance", "available_credit", "loyalty_points",
            "loyalty_value", "price_list", "is_active", "note", "created_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(MoneyField())
    def get_available_credit(self, customer: Customer) -> dict[str, str] | None:
        room = max(customer.credit_limit.amount - customer.balance.amount, Decimal(0))
        return MoneyField().to_representation(Money(room, customer.balance.currency))

    @extend_schema_field(MoneyField())
    def get_loyalty_value(self, customer: Customer) -> dict[str, str] | None:
        point_value = self.context.get("point_value")
        if point_value is None:
            return MoneyField().to_representation(loyalty_value(customer.loyalty_points))
        return MoneyField().to_representation(point_value * customer.loyalty_points)


def customer_context() -> dict[str, Any]:
    """Reads the point value once for a whole list rather than once per customer."""
    return {"point_value": loyalty_settings_get().point_value}


def customer_out(customer: Customer) -> dict[str, Any]:
    return dict(CustomerOutputSerializer(customer, context=customer_context()).data)


def customer_or_404(customer_id: int) -> Customer:
    return or_404(customer_get(customer_id), "No such customer.")


class _CustomerFields(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    phone = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text="07…, +254… or 254…"
    )
    email = api_fields.email(required=False, allow_blank=True)
    tax_id = serializers.CharField(max_length=40, required=False, allow_blank=True)
    credit_limit = amount(min_value=Decimal(0), required=False, help_text="0 = cash only.")
    payment_terms_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    price_list = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


def _service_arguments(data: dict[str, Any]) -> dict[str, Any]:
    if "credit_limit" in data:
        data["credit_limit"] = as_money(data["credit_limit"])
    if "price_list" in data:
        data["price_list_id"] = data.pop("price_list")
    return data


class CustomerListCreateApi(APIView):
    required_actions = {"GET": Action.CUSTOMERS_VIEW, "POST": Action.CUSTOMERS_MANAGE}

    class InputSerializer(_CustomerFields):
        pass

    @list_schema(
        CustomerOutputSerializer,
        "CustomerList",
        operation_id="customers_list",
        parameters=[
            OpenApiParameter("q", str, description="Part of the name or phone, or the code."),
            OpenApiParameter("active", bool, description="Only active (or inactive) customers."),
            SyncQuerySerializer,
        ],
    )
    def get(self, request: Request) -> Response:
        since = updated_since(request)
        customers = customer_list(
            q=request.query_params.get("q", ""),
            active=query_flag(request, "active"),
            updated_since=since,
        )
        return paginated(
            request, customers, CustomerOutputSerializer, context=customer_context(), since=since
        )

    @extend_schema(request=InputSerializer, responses={201: CustomerOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        customer = customer_create(**_service_arguments(dict(data)), actor=request.user)
        return Response(customer_out(customer_or_404(customer.pk)), status=status.HTTP_201_CREATED)


class CustomerDetailApi(APIView):
    required_actions = {"GET": Action.CUSTOMERS_VIEW, "PATCH": Action.CUSTOMERS_MANAGE}

    class InputSerializer(_CustomerFields):
        name = serializers.CharField(max_length=200, required=False)
        is_active = serializers.BooleanField(required=False)

    @extend_schema(responses=CustomerOutputSerializer)
    def get(self, request: Request, customer_id: int) -> Response:
        return Response(customer_out(customer_or_404(customer_id)))

    @extend_schema(request=InputSerializer, responses=CustomerOutputSerializer)
    def patch(self, request: Request, customer_id: int) -> Response:
        data = validated(self.InputSerializer, request.data, partial=True)
        customer_update(customer_id=customer_id, **_service_arguments(dict(data)))
        return Response(customer_out(customer_or_404(customer_id)))


# --- The account -----------------------------------------------------------------------------


class CreditEntryOutputSerializer(OutputModelSerializer[CreditEntry]):
    amount = MoneyField(help_text="Positive: added to what the customer owes.")
    balance_after = MoneyField()
    created_by = serializers.EmailField(source="created_by.email", allow_null=True, default=None)

    class Meta:
        model = CreditEntry
        fields = [
            "id", "kind", "amount", "balance_after", "due_on", "reference", "note",
            "created_by", "created_at",
        ]  # fmt: skip


class CustomerLedgerApi(APIView):
    """The account's history, newest first, each entry with the balance after it."""

    required_action = Action.CUSTOMERS_VIEW

    @list_schema(
        CreditEntryOutputSerializer,
        "CustomerLedger",
        operation_id="customers_ledger",
        extra={"customer": CustomerOutputSerializer()},
    )
    def get(self, request: Request, customer_id: int) -> Response:
        customer = customer_or_404(customer_id)
        return paginated(
            request,
            credit_entries(customer_id=customer.pk),
            CreditEntryOutputSerializer,
            extra={"customer": customer_out(customer)},
        )


def _entry_and_customer(name: str) -> Any:
    return inline_serializer(
        name, {"entry": CreditEntryOutputSerializer(), "customer": CustomerOutputSerializer()}
    )


class CustomerPaymentApi(APIView):
    """A payment on account, taken at the till too: cashiers may record it."""

    required_action = Action.SALES_SELL

    class InputSerializer(serializers.Serializer[Any]):
        amount = amount(min_value=Decimal("0.01"))
        method = serializers.ChoiceField(choices=PaymentMethod.choices)
        reference = serializers.CharField(
            max_length=100,
            required=False,
            allow_blank=True,
            default="",
            help_text="e.g. the M-Pesa confirmation code.",
        )
        key = serializers.CharField(
            max_length=80,
            required=False,
            help_text="Idempotency key: sending the same key again records nothing new.",
        )

    @extend_schema(
        request=InputSerializer,
        responses={201: _entry_and_customer("CustomerPaymentRecorded")},
    )
    def post(self, request: Request, customer_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        customer_or_404(customer_id)
        entry = customer_payment_receive(
            customer_id=customer_id,
            amount=as_money(data["amount"]),
            method=data["method"],
            reference=data["reference"],
            # Namespaced: a client's key can never collide with a gateway's (c2b:…) or a sale's.
            key=f"api:{data['key']}" if data.get("key") else None,
            actor=request.user,
        )
        body = {
            "entry": CreditEntryOutputSerializer(entry).data,
            "customer": customer_out(customer_or_404(customer_id)),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class CustomerAdjustmentApi(APIView):
    """A manager's write-off (negative amount) or correction (positive), with a reason."""

    required_action = Action.CUSTOMERS_MANAGE

    class InputSerializer(serializers.Serializer[Any]):
        amount = amount(help_text="Negative writes off; positive adds to what is owed.")
        note = serializers.CharField(max_length=500)

    @extend_schema(
        request=InputSerializer,
        responses={201: _entry_and_customer("CustomerAdjustmentRecorded")},
    )
    def post(self, request: Request, customer_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        customer_or_404(customer_id)
        entry = credit_adjust(
            customer_id=customer_id,
            amount=as_money(data["amount"]),
            note=data["note"],
            actor=request.user,
        )
        body = {
            "entry": CreditEntryOutputSerializer(entry).data,
            "customer": customer_out(customer_or_404(customer_id)),
        }
        return Response(body, status=status.HTTP_201_CREATED)


# --- Loyalty ---------------------------------------------------------------------------------


class LoyaltyEntryOutputSerializer(OutputModelSerializer[LoyaltyEntry]):
    class Meta:
        model = LoyaltyEntry
        fields = ["id", "points", "reason", "reference", "balance_after", "created_at"]


class CustomerLoyaltyApi(APIView):
    required_action = Action.CUSTOMERS_VIEW

    @list_schema(
        LoyaltyEntryOutputSerializer,
        "CustomerLoyalty",
        operation_id="customers_loyalty",
        extra={"points": serializers.IntegerField(), "value": MoneyField()},
    )
    def get(self, request: Request, customer_id: int) -> Response:
        customer = customer_or_404(customer_id)
        points = customer.loyalty_points
        return paginated(
            request,
            loyalty_entries(customer_id=customer.pk),
            LoyaltyEntryOutputSerializer,
            extra={
                "points": points,
                "value": MoneyField().to_representation(loyalty_value(points)),
            },
        )
