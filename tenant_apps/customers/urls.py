from django.urls import path

from tenant_apps.customers.api import customers, reports

app_name = "customers"

urlpatterns = [
    path("", customers.CustomerListCreateApi.as_view(), name="customer-list"),
    path("overdue/", reports.OverdueApi.as_view(), name="customer-overdue"),
    path(
        "loyalty-settings/",
        reports.LoyaltySettingsApi.as_view(),
        name="loyalty-settings-detail",
    ),
    path("<int:customer_id>/", customers.CustomerDetailApi.as_view(), name="customer-detail"),
    path(
        "<int:customer_id>/ledger/",
        customers.CustomerLedgerApi.as_view(),
        name="customer-ledger",
    ),
    path(
        "<int:customer_id>/payments/",
        customers.CustomerPaymentApi.as_view(),
        name="customer-payment-list",
    ),
    path(
        "<int:customer_id>/adjustments/",
        customers.CustomerAdjustmentApi.as_view(),
        name="customer-adjustment-list",
    ),
    path(
        "<int:customer_id>/statement/",
        reports.CustomerStatementApi.as_view(),
        name="customer-statement",
    ),
    path(
        "<int:customer_id>/loyalty/",
        customers.CustomerLoyaltyApi.as_view(),
        name="customer-loyalty",
    ),
]
