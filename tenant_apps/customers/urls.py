from django.urls import include, path

from tenant_apps.customers.api import customers, reports

app_name = "customers"

# One customer's account, under the customer's path.
customer_urlpatterns = [
    path("", customers.CustomerDetailApi.as_view(), name="customer-detail"),
    path("ledger/", customers.CustomerLedgerApi.as_view(), name="customer-ledger"),
    path("payments/", customers.CustomerPaymentApi.as_view(), name="customer-payment-list"),
    path(
        "adjustments/", customers.CustomerAdjustmentApi.as_view(), name="customer-adjustment-list"
    ),
    path("statement/", reports.CustomerStatementApi.as_view(), name="customer-statement"),
    path("loyalty/", customers.CustomerLoyaltyApi.as_view(), name="customer-loyalty"),
]

urlpatterns = [
    path("", customers.CustomerListCreateApi.as_view(), name="customer-list"),
    path("overdue/", reports.OverdueApi.as_view(), name="customer-overdue"),
    path("loyalty-settings/", reports.LoyaltySettingsApi.as_view(), name="loyalty-settings-detail"),
    path("<int:customer_id>/", include(customer_urlpatterns)),
]
