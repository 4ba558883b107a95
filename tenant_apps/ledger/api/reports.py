"""Financial reports, each as JSON or, with ``?format=csv``, as a spreadsheet-ready CSV."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from moneyed import Money
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api.fields import MoneyField
from saas_platform.api.period import PeriodSerializer, requested_period
from saas_platform.api.renderers import file_response
from saas_platform.api.shaping import validated
from saas_platform.tenancy import business_currency, business_today
from tenant_apps.ledger.api.books import EntryOutputSerializer
from tenant_apps.ledger.api.common import (
    REPORT_READERS,
    REPORT_RENDERERS,
    AccountRefSerializer,
    AmountLineSerializer,
    AsOfSerializer,
    as_of,
    plain,
    to_money,
    wants_csv,
)
from tenant_apps.ledger.beancount_export import books_as_beancount
from tenant_apps.ledger.models import Account
from tenant_apps.ledger.selectors import (
    Section,
    account_get,
    balance_sheet,
    budget_vs_actual,
    day_book,
    general_ledger,
    profit_and_loss,
    trial_balance,
    vat_report,
)


def _ref(account: Account) -> dict[str, Any]:
    return {
        "id": account.pk,
        "code": account.code,
        "name": account.name,
        "type": account.type,
        "role": account.role,
    }


def _section(section: Section) -> dict[str, Any]:
    return {
        "lines": [
            {"account": _ref(line.account), "amount": to_money(line.amount)}
            for line in section.lines
        ],
        "total": to_money(section.total),
    }


def _section_rows(title: str, section: Section) -> list[list[str]]:
    rows = [[title, a.account.code, a.account.name, plain(a.amount)] for a in section.lines]
    return [*rows, [title, "", "Total", plain(section.total)]]


def _money_json(value: Any) -> Any:
    """Money anywhere in a nested structure → ``{"amount", "currency"}``, as MoneyField does."""
    if isinstance(value, Money):
        return MoneyField().to_representation(value)
    if isinstance(value, dict):
        return {k: _money_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_money_json(v) for v in value]
    return value


SectionSerializer = inline_serializer(
    "LedgerReportSection",
    {"lines": AmountLineSerializer(many=True), "total": MoneyField()},
)


class ReportApi(APIView):
    required_action = REPORT_READERS
    renderer_classes = REPORT_RENDERERS


class TrialBalanceApi(ReportApi):
    @extend_schema(
        parameters=[AsOfSerializer],
        responses=inline_serializer(
            "LedgerTrialBalance",
            {
                "as_of": serializers.DateField(),
                "rows": inline_serializer(
                    "LedgerTrialBalanceRow",
                    {
                        "account": AccountRefSerializer(),
                        "debit": MoneyField(),
                        "credit": MoneyField(),
                    },
                    many=True,
                ),
                "total_debit": MoneyField(),
                "total_credit": MoneyField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        report = trial_balance(as_of=as_of(request))
        if wants_csv(request):
            rows = [["code", "account", "debit", "credit"]]
            rows += [
                [r.account.code, r.account.name, plain(r.debit), plain(r.credit)]
                for r in report.rows
            ]
            rows.append(["", "Total", plain(report.total_debit), plain(report.total_credit)])
            return Response(rows)
        return Response(
            _money_json(
                {
                    "as_of": report.as_of,
                    "rows": [
                        {
                            "account": _ref(r.account),
                            "debit": to_money(r.debit),
                            "credit": to_money(r.credit),
                        }
                        for r in report.rows
                    ],
                    "total_debit": to_money(report.total_debit),
                    "total_credit": to_money(report.total_credit),
                }
            )
        )


class ProfitAndLossApi(ReportApi):
    @extend_schema(
        parameters=[PeriodSerializer],
        responses=inline_serializer(
            "LedgerProfitAndLoss",
            {
                "start": serializers.DateField(),
                "end": serializers.DateField(),
                "income": SectionSerializer,
                "expenses": SectionSerializer,
                "net_profit": MoneyField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        start, end = requested_period(request)
        report = profit_and_loss(start=start, end=end)
        if wants_csv(request):
            rows = [["section", "code", "account", "amount"]]
            rows += _section_rows("income", report.income)
            rows += _section_rows("expenses", report.expenses)
            rows.append(["net_profit", "", "Net profit", plain(report.net_profit)])
            return Response(rows)
        return Response(
            _money_json(
                {
                    "start": start,
                    "end": end,
                    "income": _section(report.income),
                    "expenses": _section(report.expenses),
                    "net_profit": to_money(report.net_profit),
                }
            )
        )


class BalanceSheetApi(ReportApi):
    @extend_schema(
        parameters=[AsOfSerializer],
        responses=inline_serializer(
            "LedgerBalanceSheet",
            {
                "as_of": serializers.DateField(),
                "assets": SectionSerializer,
                "liabilities": SectionSerializer,
                "equity": SectionSerializer,
                "current_earnings": MoneyField(),
                "total_equity": MoneyField(),
                "total_liabilities_and_equity": MoneyField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        report = balance_sheet(as_of=as_of(request))
        if wants_csv(request):
            rows = [["section", "code", "account", "amount"]]
            rows += _section_rows("assets", report.assets)
            rows += _section_rows("liabilities", report.liabilities)
            rows += _section_rows("equity", report.equity)
            rows.append(["equity", "", "Current earnings", plain(report.current_earnings)])
            rows.append(["equity", "", "Total equity", plain(report.total_equity)])
            rows.append(
                ["", "", "Liabilities and equity", plain(report.total_liabilities_and_equity)]
            )
            return Response(rows)
        return Response(
            _money_json(
                {
                    "as_of": report.as_of,
                    "assets": _section(report.assets),
                    "liabilities": _section(report.liabilities),
                    "equity": _section(report.equity),
                    "current_earnings": to_money(report.current_earnings),
                    "total_equity": to_money(report.total_equity),
                    "total_liabilities_and_equity": to_money(report.total_liabilities_and_equity),
                }
            )
        )


class GeneralLedgerApi(ReportApi):
    @extend_schema(
        parameters=[PeriodSerializer],
        responses=inline_serializer(
            "LedgerGeneralLedger",
            {
                "account": AccountRefSerializer(),
                "start": serializers.DateField(),
                "end": serializers.DateField(),
                "opening_balance": MoneyField(),
                "lines": inline_serializer(
                    "LedgerGeneralLedgerLine",
                    {
                        "entry": serializers.IntegerField(),
                        "date": serializers.DateField(),
                        "memo": serializers.CharField(),
                        "debit": MoneyField(),
                        "credit": MoneyField(),
                        "balance": MoneyField(),
                    },
                    many=True,
                ),
                "closing_balance": MoneyField(),
            },
        ),
    )
    def get(self, request: Request, account_id: int) -> Response:
        account = account_get(account_id)
        start, end = requested_period(request)
        report = general_ledger(account=account, start=start, end=end)
        if wants_csv(request):
            rows = [["date", "entry", "memo", "debit", "credit", "balance"]]
            rows.append([f"{start}", "", "Opening balance", "", "", plain(report.opening)])
            rows += [
                [
                    f"{x.line.entry.date}",
                    str(x.line.entry_id),
                    x.line.entry.memo,
                    plain(x.line.debit.amount),
                    plain(x.line.credit.amount),
                    plain(x.balance),
                ]
                for x in report.lines
            ]
            rows.append([f"{end}", "", "Closing balance", "", "", plain(report.closing)])
            return Response(rows)
        return Response(
            _money_json(
                {
                    "account": _ref(account),
                    "start": start,
                    "end": end,
                    "opening_balance": to_money(report.opening),
                    "lines": [
                        {
                            "entry": x.line.entry_id,
                            "date": x.line.entry.date,
                            "memo": x.line.entry.memo,
                            "debit": x.line.debit,
                            "credit": x.line.credit,
                            "balance": to_money(x.balance),
                        }
                        for x in report.lines
                    ],
                    "closing_balance": to_money(report.closing),
                }
            )
        )


class DayBookApi(ReportApi):
    class DaySerializer(serializers.Serializer[Any]):
        date = serializers.DateField(required=False)

    @extend_schema(
        parameters=[DaySerializer],
        responses=inline_serializer(
            "LedgerDayBook",
            {"date": serializers.DateField(), "entries": EntryOutputSerializer(many=True)},
        ),
    )
    def get(self, request: Request) -> Response:
        data = validated(self.DaySerializer, request.query_params)
        day = data.get("date") or business_today()
        entries = day_book(day=day)
        if wants_csv(request):
            rows = [["entry", "memo", "source", "reference", "code", "account", "debit", "credit"]]
            for entry in entries:
                rows += [
                    [
                        str(entry.pk),
                        entry.memo,
                        entry.source,
                        entry.reference,
                        line.account.code,
                        line.account.name,
                        plain(line.debit.amount),
                        plain(line.credit.amount),
                    ]
                    for line in entry.lines.all()
                ]
            return Response(rows)
        return Response({"date": day, "entries": EntryOutputSerializer(entries, many=True).data})


class VatReportApi(ReportApi):
    @extend_schema(
        parameters=[PeriodSerializer],
        responses=inline_serializer(
            "LedgerVatReport",
            {
                "start": serializers.DateField(),
                "end": serializers.DateField(),
                "output_vat": MoneyField(),
                "input_vat": MoneyField(),
                "net_payable": MoneyField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        start, end = requested_period(request)
        report = vat_report(start=start, end=end)
        if wants_csv(request):
            return Response(
                [
                    ["start", "end", "output_vat", "input_vat", "net_payable"],
                    [
                        f"{start}",
                        f"{end}",
                        plain(report.output_vat),
                        plain(report.input_vat),
                        plain(report.net_payable),
                    ],
                ]
            )
        return Response(
            _money_json(
                {
                    "start": start,
                    "end": end,
                    "output_vat": to_money(report.output_vat),
                    "input_vat": to_money(report.input_vat),
                    "net_payable": to_money(report.net_payable),
                }
            )
        )


class BudgetVsActualApi(ReportApi):
    @extend_schema(
        parameters=[PeriodSerializer],
        responses=inline_serializer(
            "LedgerBudgetVsActual",
            {
                "start": serializers.DateField(),
                "end": serializers.DateField(),
                "rows": inline_serializer(
                    "LedgerBudgetVsActualRow",
                    {
                        "account": AccountRefSerializer(),
                        "budget": MoneyField(),
                        "actual": MoneyField(),
                        "variance": MoneyField(),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        start, end = requested_period(request)
        rows = budget_vs_actual(start=start, end=end)
        if wants_csv(request):
            table = [["code", "account", "budget", "actual", "variance"]]
            table += [
                [r.account.code, r.account.name, *map(plain, (r.budget, r.actual, r.variance))]
                for r in rows
            ]
            return Response(table)
        return Response(
            _money_json(
                {
                    "start": start,
                    "end": end,
                    "rows": [
                        {
                            "account": _ref(r.account),
                            "budget": to_money(r.budget),
                            "actual": to_money(r.actual),
                            "variance": to_money(r.variance),
                        }
                        for r in rows
                    ],
                }
            )
        )


class BeancountExportApi(APIView):
    required_action = REPORT_READERS

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR})
    def get(self, request: Request) -> HttpResponse:
        text = books_as_beancount(currency=business_currency(), today=business_today())
        return file_response(text, media_type="text/plain", filename="books.beancount")
