from django.urls import path

from tenant_apps.customers.api import customers, reports

urlpatterns = [
    path("", customers.CustomerListCreateApi.as_view(), name="customer-list"),
    path("overdue/", reports.OverdueApi.as_view(), name="customer-overdue"),
    path("loyalty-settings/", reports.LoyaltySettingsApi.as_view(), name="loyalty-settings"),
    path("<int:customer_id>/", customers.CustomerDetailApi.as_view(), name="customer-detail"),
    path("<int:customer_id>/ledger/", customers.CustomerLedgerApi.as_view()),
    path("<int:customer_id>/payments/", customers.CustomerPaymentApi.as_view()),
    path("<int:customer_id>/adjustments/", customers.CustomerAdjustmentApi.as_view()),
    path("<int:customer_id>/statement/", reports.CustomerStatementApi.as_view()),
    path("<int:customer_id>/loyalty/", customers.CustomerLoyaltyApi.as_view()),
]
