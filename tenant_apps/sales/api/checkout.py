"""Checkout, the sales list, void, returns and paying again after a failed payment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import MoneyField, amount, quantity
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.permissions import request_allows
from saas_platform.api.query import query_id
from saas_platform.api.shaping import or_404, shown, validated
from saas_platform.api.sync import SyncQuerySerializer, updated_since
from tenant_apps.sales.api.serializers import (
    SaleOutputSerializer,
    SaleReturnOutputSerializer,
    SaleSummarySerializer,
    sale_data,
)
from tenant_apps.sales.models import RefundMethod, SaleStatus, TenderMethod
from tenant_apps.sales.pricing.cart import PricedCart, cart_price
from tenant_apps.sales.requests import (
    CartRequest,
    CheckoutRequest,
    LineRequest,
    ReturnLineRequest,
    TenderRequest,
)
from tenant_apps.sales.selectors import parked_sale_list, sale_detail, sale_list
from tenant_apps.sales.services.checkout import sale_checkout
from tenant_apps.sales.services.returns import sale_return_create
from tenant_apps.sales.services.tenders import sale_tender_retry
from tenant_apps.sales.services.voids import sale_void
from tenant_apps.staff.access import Action


class CartLineSerializer(serializers.Serializer[Any]):
    product = serializers.IntegerField()
    # Sized as the sale line's quantity column; a quantity times its price that no amount
    # column can hold is refused by the pricing (lines[i].quantity too_large).
    quantity = quantity()
    unit_price = amount(min_value=Decimal(0), required=False, allow_null=True, default=None)
    discount = amount(min_value=Decimal(0), required=False, default=Decimal(0))


class CartInputSerializer(serializers.Serializer[Any]):
    """What prices a cart: the body of a quote, and the part of a checkout that a quote takes."""

    lines = serializers.ListField(child=serializers.DictField(), allow_empty=False, max_length=500)
    customer = serializers.IntegerField(required=False, allow_null=True, default=None)
    price_list = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=30,
        help_text="Another price list than the customer's own needs sales.override_price.",
    )
    cart_discount = amount(min_value=Decimal(0), required=False, default=Decimal(0))
    cart_discount_percent = serializers.DecimalField(
        max_digits=6,
        decimal_places=3,
        required=False,
        default=Decimal(0),
        min_value=Decimal(0),
        max_value=Decimal(100),
    )
    coupon = serializers.CharField(required=False, default="", allow_blank=True, max_length=30)


def cart_request(data: dict[str, Any]) -> CartRequest:
    """The validated body of a cart as the pricing takes it (lines checked one by one)."""
    lines = _nested(CartLineSerializer, data["lines"], "lines")
    return CartRequest(
        lines=[
            LineRequest(
                product_id=line["product"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                discount=line["discount"],
            )
            for line in lines
        ],
        customer_id=data["customer"],
        price_list=data["price_list"],
        cart_discount=data["cart_discount"],
        cart_discount_percent=data["cart_discount_percent"],
        coupon=data["coupon"],
    )


class QuoteLineSerializer(serializers.Serializer[Any]):
    line_no = serializers.IntegerField()
    product = serializers.IntegerField(source="product.pk")
    sku = serializers.CharField(source="product.sku")
    description = serializers.CharField(source="product.name")
    quantity = quantity()
    unit_price = MoneyField()
    price_overridden = serializers.BooleanField()
    discount = MoneyField()
    tax_rate = serializers.DecimalField(max_digits=6, decimal_places=3)
    net = MoneyField()
    tax = MoneyField()
    gross = MoneyField()


class QuoteOutputSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField()
    prices_include_tax = serializers.BooleanField()
    customer = serializers.IntegerField(source="customer.pk", default=None, allow_null=True)
    price_list = serializers.CharField(source="price_list.code", default=None, allow_null=True)
    coupon = serializers.CharField(source="coupon.code", default=None, allow_null=True)
    lines = serializers.SerializerMethodField()
    subtotal = MoneyField()
    discount_total = MoneyField()
    tax_total = MoneyField()
    total = MoneyField(help_text="What the checkout of this cart will ask to be paid.")

    @extend_schema_field(QuoteLineSerializer(many=True))
    def get_lines(self, priced: PricedCart) -> Any:
        rows = [{"line_no": i + 1, **vars(line)} for i, line in enumerate(priced.lines)]
        return QuoteLineSerializer(rows, many=True).data


class QuoteApi(APIView):
    """Prices a cart as the checkout would, writing nothing: no sale, stock hold, coupon use or
    receipt number. A till asks it for the total before asking a payer for that amount."""

    required_action = Action.SALES_SELL

    @extend_schema(
        operation_id="sales_quote",
        request=CartInputSerializer,
        responses=QuoteOutputSerializer,
    )
    def post(self, request: Request) -> Response:
        data = validated(CartInputSerializer, request.data)
        priced = cart_price(
            cart=cart_request(data),
            may_override_price=request_allows(request, Action.SALES_OVERRIDE_PRICE),
        )
        return shown(QuoteOutputSerializer, priced)


# A tender's payer and currency, asked alike at checkout and when a tender is tried again.
def _payer() -> serializers.CharField:
    return serializers.CharField(max_length=60, required=False, default="", allow_blank=True)


def _currency() -> serializers.CharField:
    return serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=3,
        help_text="ISO 4217 code of `amount`; only the business's currency is accepted.",
    )


class CheckoutApi(APIView):
    required_action = Action.SALES_SELL

    class TenderSerializer(serializers.Serializer[Any]):
        method = serializers.ChoiceField(choices=TenderMethod.choices)
        amount = amount(summed=True, required=False, default=Decimal(0))
        payer = _payer()
        points = serializers.IntegerField(
            required=False, allow_null=True, default=None, min_value=1
        )
        currency = _currency()

    class InputSerializer(CartInputSerializer):
        uuid = serializers.UUIDField()
        register = serializers.IntegerField()
        tenders = serializers.ListField(
            child=serializers.DictField(), required=False, default=list, max_length=10
        )
        note = serializers.CharField(required=False, default="", allow_blank=True, max_length=500)
        park = serializers.BooleanField(required=False, default=False)
        offline = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Made by a till while offline: a line short of stock is sold below zero "
            "and the sale flagged (`short_stock_flagged`) instead of refused.",
        )
        device_number = serializers.CharField(
            required=False,
            default="",
            allow_blank=True,
            max_length=40,
            help_text="The provisional number an offline receipt printed (device and sequence).",
        )

    @extend_schema(
        request=InputSerializer,
        responses={201: SaleOutputSerializer, 200: SaleOutputSerializer},
        description="Idempotent on `uuid`: the same UUID and cart return the same sale (200).",
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        cart = cart_request(data)
        tenders = _nested(self.TenderSerializer, data["tenders"], "tenders")
        checkout = CheckoutRequest(
            uuid=data["uuid"],
            register_id=data["register"],
            lines=cart.lines,
            tenders=[
                TenderRequest(
                    method=t["method"],
                    amount=t["amount"],
                    payer=t["payer"],
                    points=t["points"],
                    currency=t["currency"],
                )
                for t in tenders
            ],
            customer_id=cart.customer_id,
            price_list=cart.price_list,
            cart_discount=cart.cart_discount,
            cart_discount_percent=cart.cart_discount_percent,
            coupon=cart.coupon,
            note=data["note"],
            park=data["park"],
            offline=data["offline"],
            device_number=data["device_number"],
        )
        sale, created = sale_checkout(
            request=checkout,
            actor=request.user,
            may_override_price=request_allows(request, Action.SALES_OVERRIDE_PRICE),
        )
        # A new completed sale carries what it was made of. Anything else is read again: a
        # waiting sale's payment was sent to the provider after the commit, which may have
        # answered already (a hosted card page's link, or a refusal).
        fresh = (
            sale if created and sale.status == SaleStatus.COMPLETED else sale_detail(str(sale.uuid))
        )
        return Response(
            sale_data(fresh or sale),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _nested(
    serializer_class: type[serializers.Serializer[Any]], items: list[Any], name: str
) -> list[dict[str, Any]]:
    out = []
    errors: dict[str, Any] = {}
    for index, item in enumerate(items):
        serializer = serializer_class(data=item)
        if serializer.is_valid():
            out.append(serializer.validated_data)
        else:
            for field, messages in serializer.errors.items():
                errors[f"{name}[{index}].{field}"] = messages
    if errors:
        raise serializers.ValidationError(errors)
    return out


class SaleListApi(APIView):
    required_action = Action.SALES_VIEW

    @list_schema(
        SaleSummarySerializer,
        "SaleList",
        operation_id="sales_list",
        parameters=[SyncQuerySerializer],
    )
    def get(self, request: Request) -> Response:
        since = updated_since(request)
        params = request.query_params
        sales = sale_list(
            status=params.get("status") if params.get("status") in SaleStatus.values else None,
            register_id=query_id(request, "register"),
            shift_id=query_id(request, "shift"),
            customer_id=query_id(request, "customer"),
            updated_since=since,
        )
        return paginated(request, sales, SaleSummarySerializer, since=since)


class ParkedSaleListApi(APIView):
    required_action = Action.SALES_SELL

    @list_schema(SaleOutputSerializer, "ParkedSaleList", operation_id="sales_parked_list")
    def get(self, request: Request) -> Response:
        sales = parked_sale_list(register_id=query_id(request, "register"))
        return paginated(request, sales, SaleOutputSerializer)


def _sale_or_404(uuid: str) -> Any:
    return or_404(sale_detail(uuid), "No such sale.")


class SaleDetailApi(APIView):
    # A cashier watches the sale they are ringing up (e.g. waiting for M-Pesa).
    required_action = Action.SALES_SELL

    @extend_schema(responses=SaleOutputSerializer)
    def get(self, request: Request, sale_uuid: Any) -> Response:
        return Response(sale_data(_sale_or_404(sale_uuid)))


class SaleVoidApi(APIView):
    required_action = Action.SALES_VOID

    class InputSerializer(serializers.Serializer[Any]):
        reason = serializers.CharField(max_length=200)

    @extend_schema(request=InputSerializer, responses=SaleOutputSerializer)
    def post(self, request: Request, sale_uuid: Any) -> Response:
        data = validated(self.InputSerializer, request.data)
        _sale_or_404(sale_uuid)
        sale_void(sale_uuid=sale_uuid, reason=data["reason"], actor=request.user)
        return Response(sale_data(_sale_or_404(sale_uuid)))


class SaleTenderRetryApi(APIView):
    required_action = Action.SALES_SELL

    class InputSerializer(serializers.Serializer[Any]):
        method = serializers.ChoiceField(
            choices=[
                TenderMethod.CASH,
                TenderMethod.CARD,
                TenderMethod.MPESA,
                TenderMethod.AIRTEL,
                TenderMethod.UPI,
            ]
        )
        payer = _payer()
        amount = amount(
            summed=True,
            required=False,
            allow_null=True,
            default=None,
            help_text="Cash handed over (change is given on anything above what is due); "
            "another method may only ask for what is due.",
        )
        currency = _currency()

    @extend_schema(request=InputSerializer, responses=SaleOutputSerializer)
    def post(self, request: Request, sale_uuid: Any, tender_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        _sale_or_404(sale_uuid)
        sale_tender_retry(
            sale_uuid=sale_uuid,
            tender_id=tender_id,
            actor=request.user,
            **data,
        )
        return Response(sale_data(_sale_or_404(sale_uuid)))


class SaleReturnApi(APIView):
    required_action = Action.SALES_REFUND

    class LineSerializer(serializers.Serializer[Any]):
        line = serializers.IntegerField()
        quantity = quantity()
        restock = serializers.BooleanField(default=True)

    class InputSerializer(serializers.Serializer[Any]):
        uuid = serializers.UUIDField()
        lines = serializers.ListField(
            child=serializers.DictField(), allow_empty=False, max_length=500
        )
        refund_method = serializers.ChoiceField(choices=RefundMethod.choices)
        reason = serializers.CharField(max_length=200)

    @extend_schema(
        request=InputSerializer,
        responses={201: SaleReturnOutputSerializer, 200: SaleReturnOutputSerializer},
    )
    def post(self, request: Request, sale_uuid: Any) -> Response:
        data = validated(self.InputSerializer, request.data)
        lines = _nested(self.LineSerializer, data["lines"], "lines")
        sale_return, created = sale_return_create(
            sale_uuid=sale_uuid,
            return_uuid=data["uuid"],
            lines=[
                ReturnLineRequest(
                    line_id=line["line"], quantity=line["quantity"], restock=line["restock"]
                )
                for line in lines
            ],
            refund_method=data["refund_method"],
            reason=data["reason"],
            actor=request.user,
        )
        return Response(
            SaleReturnOutputSerializer(sale_return).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
