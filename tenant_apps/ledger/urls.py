from django.urls import include, path

from tenant_apps.ledger.api import books, reports

app_name = "ledger"

report_urlpatterns = [
    path("trial-balance/", reports.TrialBalanceApi.as_view(), name="trial-balance-report"),
    path("profit-and-loss/", reports.ProfitAndLossApi.as_view(), name="profit-and-loss-report"),
    path("balance-sheet/", reports.BalanceSheetApi.as_view(), name="balance-sheet-report"),
    path("day-book/", reports.DayBookApi.as_view(), name="day-book-report"),
    path("vat/", reports.VatReportApi.as_view(), name="vat-report"),
    path("budget-vs-actual/", reports.BudgetVsActualApi.as_view(), name="budget-vs-actual-report"),
]

urlpatterns = [
    path("accounts/", books.AccountListCreateApi.as_view(), name="account-list"),
    path("accounts/<int:account_id>/", books.AccountDetailApi.as_view(), name="account-detail"),
    path(
        "accounts/<int:account_id>/ledger/",
        reports.GeneralLedgerApi.as_view(),
        name="account-ledger",
    ),
    path("entries/", books.EntryListCreateApi.as_view(), name="entry-list"),
    path("entries/<int:entry_id>/", books.EntryDetailApi.as_view(), name="entry-detail"),
    path("entries/<int:entry_id>/reverse/", books.EntryReverseApi.as_view(), name="entry-reverse"),
    path("lock-date/", books.LockDateApi.as_view(), name="lock-date-detail"),
    path("expenses/", books.ExpenseListCreateApi.as_view(), name="expense-list"),
    path("budgets/", books.BudgetListSetApi.as_view(), name="budget-list"),
    path("reports/", include(report_urlpatterns)),
    path("export/beancount/", reports.BeancountExportApi.as_view(), name="beancount-export"),
]
