"""Registers, shifts (open, cash in and out, X report, close with the Z report), coupons."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import amount
from saas_platform.api.pagination import list_schema, paginated
from saas_platform.api.shaping import created, or_404, shown, validated
from saas_platform.money import money
from tenant_apps.sales.api.serializers import (
    CashMovementOutputSerializer,
    CouponOutputSerializer,
    DrawerOpeningOutputSerializer,
    RegisterOutputSerializer,
    ShiftOutputSerializer,
    shift_report_shown,
)
from tenant_apps.sales.models import CashMovementKind, CouponKind
from tenant_apps.sales.selectors import (
    coupon_list,
    register_get,
    register_list,
    shift_get,
    shift_summary,
)
from tenant_apps.sales.services.coupons import coupon_create
from tenant_apps.sales.services.tills import (
    DRAWER_ACCOUNTS,
    register_create,
    register_update,
    shift_cash_move,
    shift_close,
    shift_drawer_open,
    shift_open,
)
from tenant_apps.staff.access import Action

DB_INT_MAX = 2**31 - 1  # PostgreSQL integer / Django IntegerField and AutoField ids


class RegisterListCreateApi(APIView):
    required_actions = {"GET": Action.SALES_SELL, "POST": Action.SALES_MANAGE}
    plan_limited_methods = ("POST",)

    class InputSerializer(serializers.Serializer[Any]):
        code = serializers.RegexField(r"^[A-Za-z0-9_-]{1,20}$")
        name = serializers.CharField(max_length=80)
        location = serializers.IntegerField()
        receipt_prefix = serializers.CharField(
            max_length=12, required=False, default="", allow_blank=True
        )

    @list_schema(RegisterOutputSerializer, "RegisterList", operation_id="sales_registers_list")
    def get(self, request: Request) -> Response:
        return paginated(request, register_list(), RegisterOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: RegisterOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        register = register_create(
            code=data["code"],
            name=data["name"],
            location_id=data["location"],
            receipt_prefix=data["receipt_prefix"],
        )
        return created(RegisterOutputSerializer, register)


class RegisterDetailApi(APIView):
    # Anyone who sells may look a till up (and find its open shift); changing it is a manager's.
    required_actions = {"GET": Action.SALES_SELL, "PATCH": Action.SALES_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=80, required=False)
        receipt_prefix = serializers.CharField(max_length=12, required=False, allow_blank=True)
        is_active = serializers.BooleanField(required=False)

    @extend_schema(responses=RegisterOutputSerializer)
    def get(self, request: Request, register_id: int) -> Response:
        register = or_404(register_get(register_id), "No such till.")
        return shown(RegisterOutputSerializer, register)

    @extend_schema(request=InputSerializer, responses=RegisterOutputSerializer)
    def patch(self, request: Request, register_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        register = register_update(register_id=register_id, **data)
        return shown(RegisterOutputSerializer, register)


class ShiftOpenApi(APIView):
    required_action = Action.SALES_SELL

    class InputSerializer(serializers.Serializer[Any]):
        opening_float = amount(summed=True, min_value=0)

    @extend_schema(request=InputSerializer, responses={201: ShiftOutputSerializer})
    def post(self, request: Request, register_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        shift = shift_open(
            register_id=register_id,
            opening_float=money(data["opening_float"]),
            actor=request.user,
        )
        return created(ShiftOutputSerializer, shift, request=request)


class ShiftDetailApi(APIView):
    """The shift and its X report (takings so far)."""

    required_action = Action.SALES_SELL

    @extend_schema(
        responses=inline_serializer(
            "ShiftWithReport",
            {"shift": ShiftOutputSerializer(), "report": serializers.DictField()},
        )
    )
    def get(self, request: Request, shift_id: int) -> Response:
        shift = shift_get(shift_id)
        context = {"request": request}
        report = shift.z_report if shift.z_report else shift_summary(shift)
        return Response(
            {
                "shift": ShiftOutputSerializer(shift, context=context).data,
                "report": shift_report_shown(report, context),
            }
        )


class ShiftCashApi(APIView):
    required_action = Action.SALES_SELL

    class InputSerializer(serializers.Serializer[Any]):
        kind = serializers.ChoiceField(choices=CashMovementKind.choices)
        amount = amount(summed=True)
        account = serializers.ChoiceField(choices=sorted(DRAWER_ACCOUNTS), default="bank")
        reason = serializers.CharField(max_length=200)

    @extend_schema(request=InputSerializer, responses={201: CashMovementOutputSerializer})
    def post(self, request: Request, shift_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        movement = shift_cash_move(
            shift_id=shift_id,
            kind=data["kind"],
            amount=money(data["amount"]),
            reason=data["reason"],
            account=data["account"],
            actor=request.user,
        )
        return created(CashMovementOutputSerializer, movement)


class ShiftNoSaleApi(APIView):
    """The cash drawer opened with no sale (the till's "no sale" key), with the reason."""

    required_action = Action.SALES_SELL

    class InputSerializer(serializers.Serializer[Any]):
        reason = serializers.CharField(max_length=200)

    @extend_schema(request=InputSerializer, responses={201: DrawerOpeningOutputSerializer})
    def post(self, request: Request, shift_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        opening = shift_drawer_open(shift_id=shift_id, reason=data["reason"], actor=request.user)
        return created(DrawerOpeningOutputSerializer, opening)


class ShiftCloseApi(APIView):
    required_action = Action.SALES_SELL

    class InputSerializer(serializers.Serializer[Any]):
        counted_cash = amount(summed=True, min_value=0)
        note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)

    @extend_schema(request=InputSerializer, responses=ShiftOutputSerializer)
    def post(self, request: Request, shift_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        shift = shift_close(
            shift_id=shift_id,
            counted_cash=money(data["counted_cash"]),
            note=data["note"],
            actor=request.user,
        )
        return shown(ShiftOutputSerializer, shift_get(shift.pk), request=request)


class CouponListCreateApi(APIView):
    required_actions = {"GET": Action.SALES_SELL, "POST": Action.SALES_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        code = serializers.RegexField(r"^[A-Za-z0-9_-]{2,30}$")
        kind = serializers.ChoiceField(choices=CouponKind.choices)
        value = amount(summed=True)
        description = serializers.CharField(max_length=200, required=False, default="")
        product = serializers.IntegerField(
            required=False, allow_null=True, default=None, min_value=1, max_value=DB_INT_MAX
        )
        category = serializers.IntegerField(
            required=False, allow_null=True, default=None, min_value=1, max_value=DB_INT_MAX
        )
        min_spend = amount(summed=True, required=False, allow_null=True, default=None, min_value=0)
        valid_from = serializers.DateTimeField(required=False, allow_null=True, default=None)
        valid_until = serializers.DateTimeField(required=False, allow_null=True, default=None)
        # The column is a PostgreSQL integer: anything larger is refused here, not by the database.
        max_uses = serializers.IntegerField(
            required=False, allow_null=True, default=None, min_value=1, max_value=DB_INT_MAX
        )

    @list_schema(CouponOutputSerializer, "CouponList", operation_id="sales_coupons_list")
    def get(self, request: Request) -> Response:
        return paginated(request, coupon_list(), CouponOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: CouponOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        coupon = coupon_create(
            code=data["code"],
            kind=data["kind"],
            value=data["value"],
            description=data["description"],
            product_id=data["product"],
            category_id=data["category"],
            min_spend=data["min_spend"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            max_uses=data["max_uses"],
        )
        return created(CouponOutputSerializer, coupon)
