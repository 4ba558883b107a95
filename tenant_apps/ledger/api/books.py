"""Accounts, journal entries, reversals, the lock date, expenses and budgets."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import MoneyField, amount
from saas_platform.api.pagination import PageQuerySerializer, list_schema, paginated
from saas_platform.api.period import PeriodSerializer
from saas_platform.api.shaping import OutputModelSerializer, created, or_404, shown, validated
from saas_platform.tenancy import business_today
from tenant_apps.ledger.api.common import AccountRefSerializer
from tenant_apps.ledger.models import Account, AccountType, Budget, Expense, JournalEntry
from tenant_apps.ledger.posting import PostingLine, entry_reverse, lock_date, lock_date_set
from tenant_apps.ledger.selectors import (
    account_get,
    account_list,
    budget_list,
    entry_get,
    entry_list,
    expense_list,
)
from tenant_apps.ledger.services import (
    account_create,
    account_update,
    budget_set,
    expense_record,
    manual_entry_post,
)
from tenant_apps.staff.access import Action


class AccountOutputSerializer(OutputModelSerializer[Account]):
    normal_balance = serializers.CharField(read_only=True)

    class Meta:
        model = Account
        fields = ["id", "code", "name", "type", "role", "normal_balance", "is_active"]


class AccountListCreateApi(APIView):
    required_actions = {"GET": Action.LEDGER_VIEW, "POST": Action.LEDGER_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        code = serializers.RegexField(r"^[A-Za-z0-9._-]{1,20}$")
        name = serializers.CharField(max_length=120)
        type = serializers.ChoiceField(choices=AccountType.choices)

    @list_schema(AccountOutputSerializer, "LedgerAccountList", operation_id="ledger_accounts_list")
    def get(self, request: Request) -> Response:
        active = request.query_params.get("active")
        accounts = account_list(active=None if active is None else active in ("1", "true"))
        return paginated(request, accounts, AccountOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: AccountOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        account = account_create(**data)
        return created(AccountOutputSerializer, account)


class AccountDetailApi(APIView):
    required_action = Action.LEDGER_MANAGE

    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=120, required=False)
        is_active = serializers.BooleanField(required=False)

    @extend_schema(request=InputSerializer, responses=AccountOutputSerializer)
    def patch(self, request: Request, account_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        account_get(account_id)
        account = account_update(account_id=account_id, **data)
        return shown(AccountOutputSerializer, account)


class EntryLineOutputSerializer(serializers.Serializer[Any]):
    account = AccountRefSerializer()
    debit = MoneyField()
    credit = MoneyField()


class EntryOutputSerializer(OutputModelSerializer[JournalEntry]):
    lines = EntryLineOutputSerializer(many=True)

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "date",
            "memo",
            "source",
            "reference",
            "reversal_of",
            "created_by",
            "created_at",
            "lines",
        ]


class EntryListCreateApi(APIView):
    required_actions = {"GET": Action.LEDGER_VIEW, "POST": Action.LEDGER_MANAGE}

    class FilterSerializer(PageQuerySerializer, PeriodSerializer):
        pass

    class InputSerializer(serializers.Serializer[Any]):
        class LineSerializer(serializers.Serializer[Any]):
            account = serializers.CharField(help_text="An account's role or code.")
            debit = amount(required=False, allow_null=True)
            credit = amount(required=False, allow_null=True)

        date = serializers.DateField(required=False)
        memo = serializers.CharField(max_length=300)
        reference = serializers.CharField(max_length=120, required=False, default="")
        lines = LineSerializer(many=True)

    @list_schema(
        EntryOutputSerializer,
        "LedgerEntryList",
        operation_id="ledger_entries_list",
        parameters=[
            FilterSerializer,
            OpenApiParameter("source", str, description="e.g. goods_receipt, expense, manual"),
        ],
    )
    def get(self, request: Request) -> Response:
        data = validated(self.FilterSerializer, request.query_params)
        entries = entry_list(
            start=data["start"],
            end=data["end"],
            source=request.query_params.get("source"),
        )
        return paginated(request, entries, EntryOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: EntryOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        entry = manual_entry_post(
            date=data.get("date") or business_today(),
            memo=data["memo"],
            reference=data["reference"],
            lines=[
                PostingLine(line["account"], debit=line.get("debit"), credit=line.get("credit"))
                for line in data["lines"]
            ],
            actor=request.user,
        )
        return Response(
            EntryOutputSerializer(entry_get(entry.pk)).data, status=status.HTTP_201_CREATED
        )


class EntryDetailApi(APIView):
    required_action = Action.LEDGER_VIEW

    @extend_schema(responses=EntryOutputSerializer)
    def get(self, request: Request, entry_id: int) -> Response:
        entry = or_404(entry_get(entry_id), "No such journal entry.")
        return shown(EntryOutputSerializer, entry)


class EntryReverseApi(APIView):
    required_action = Action.LEDGER_MANAGE

    class InputSerializer(serializers.Serializer[Any]):
        date = serializers.DateField(required=False)
        memo = serializers.CharField(max_length=300, required=False, default="")

    @extend_schema(request=InputSerializer, responses={201: EntryOutputSerializer})
    def post(self, request: Request, entry_id: int) -> Response:
        data = validated(self.InputSerializer, request.data)
        reversal = entry_reverse(
            entry_id=entry_id,
            date=data.get("date") or business_today(),
            memo=data["memo"],
            actor=request.user,
        )
        return Response(
            EntryOutputSerializer(entry_get(reversal.pk)).data, status=status.HTTP_201_CREATED
        )


class LockDateApi(APIView):
    required_actions = {"GET": Action.LEDGER_VIEW, "PUT": Action.LEDGER_MANAGE}

    class LockSerializer(serializers.Serializer[Any]):
        lock_date = serializers.DateField(allow_null=True)

    @extend_schema(operation_id="ledger_lock_date_read", responses=LockSerializer)
    def get(self, request: Request) -> Response:
        return Response({"lock_date": lock_date()})

    @extend_schema(request=LockSerializer, responses=LockSerializer)
    def put(self, request: Request) -> Response:
        data = validated(self.LockSerializer, request.data)
        settings = lock_date_set(lock_date=data["lock_date"])
        return Response({"lock_date": settings.lock_date})


class ExpenseOutputSerializer(OutputModelSerializer[Expense]):
    category = AccountRefSerializer()
    paid_from = AccountRefSerializer()
    amount = MoneyField()

    class Meta:
        model = Expense
        fields = [
            "id",
            "date",
            "category",
            "amount",
            "paid_from",
            "payee",
            "note",
            "entry",
            "created_at",
        ]


class ExpenseListCreateApi(APIView):
    required_actions = {"GET": Action.LEDGER_VIEW, "POST": Action.LEDGER_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        category = serializers.IntegerField(help_text="An expense account's id.")
        paid_from = serializers.IntegerField(help_text="A cash, bank or mobile-money account.")
        amount = amount()
        date = serializers.DateField(required=False)
        payee = serializers.CharField(max_length=200, required=False, default="")
        note = serializers.CharField(max_length=500, required=False, default="")

    @list_schema(ExpenseOutputSerializer, "LedgerExpenseList", operation_id="ledger_expenses_list")
    def get(self, request: Request) -> Response:
        return paginated(request, expense_list(), ExpenseOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: ExpenseOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        expense = expense_record(
            category_id=data["category"],
            paid_from_id=data["paid_from"],
            amount=data["amount"],
            date=data.get("date"),
            payee=data["payee"],
            note=data["note"],
            actor=request.user,
        )
        return created(ExpenseOutputSerializer, expense)


class BudgetOutputSerializer(OutputModelSerializer[Budget]):
    account = AccountRefSerializer()
    amount = MoneyField()

    class Meta:
        model = Budget
        fields = ["id", "account", "month", "amount"]


class BudgetListSetApi(APIView):
    required_actions = {"GET": Action.LEDGER_VIEW, "POST": Action.LEDGER_MANAGE}

    class InputSerializer(serializers.Serializer[Any]):
        account = serializers.IntegerField()
        month = serializers.DateField(help_text="Any day of the month; stored as its first day.")
        amount = amount()

    @list_schema(BudgetOutputSerializer, "LedgerBudgetList", operation_id="ledger_budgets_list")
    def get(self, request: Request) -> Response:
        return paginated(request, budget_list(), BudgetOutputSerializer)

    @extend_schema(request=InputSerializer, responses=BudgetOutputSerializer)
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        budget = budget_set(account_id=data["account"], month=data["month"], amount=data["amount"])
        return shown(BudgetOutputSerializer, budget)
