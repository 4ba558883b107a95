from django.urls import path

from tenant_apps.ledger.api import books, reports

urlpatterns = [
    path("accounts/", books.AccountListCreateApi.as_view(), name="ledger-account-list"),
    path("accounts/<int:account_id>/", books.AccountDetailApi.as_view()),
    path(
        "accounts/<int:account_id>/ledger/",
        reports.GeneralLedgerApi.as_view(),
        name="ledger-general-ledger",
    ),
    path("entries/", books.EntryListCreateApi.as_view(), name="ledger-entry-list"),
    path("entries/<int:entry_id>/", books.EntryDetailApi.as_view(), name="ledger-entry-detail"),
    path("entries/<int:entry_id>/reverse/", books.EntryReverseApi.as_view()),
    path("lock-date/", books.LockDateApi.as_view(), name="ledger-lock-date"),
    path("expenses/", books.ExpenseListCreateApi.as_view(), name="ledger-expense-list"),
    path("budgets/", books.BudgetListSetApi.as_view(), name="ledger-budget-list"),
    path("reports/trial-balance/", reports.TrialBalanceApi.as_view()),
    path("reports/profit-and-loss/", reports.ProfitAndLossApi.as_view()),
    path("reports/balance-sheet/", reports.BalanceSheetApi.as_view()),
    path("reports/day-book/", reports.DayBookApi.as_view()),
    path("reports/vat/", reports.VatReportApi.as_view()),
    path("reports/budget-vs-actual/", reports.BudgetVsActualApi.as_view()),
    path("export/beancount/", reports.BeancountExportApi.as_view()),
]
