"""Console pages, mounted at ``/console/`` on the root domain only."""

from django.urls import path

from shared_apps.console import views

app_name = "console"

urlpatterns = [
    path("", views.tenant_list, name="tenant-list"),
    path("login/", views.ConsoleLoginView.as_view(), name="login"),
    path("logout/", views.ConsoleLogoutView.as_view(), name="logout"),
    path("tenants/<slug:slug>/", views.tenant_detail, name="tenant-detail"),
    path("tenants/<slug:slug>/suspend/", views.tenant_suspend, name="tenant-suspend"),
    path("tenants/<slug:slug>/reactivate/", views.tenant_reactivate, name="tenant-reactivate"),
    path("billing/", views.billing_report, name="billing-report"),
    path("billing/invoices/", views.invoice_list, name="invoice-list"),
    path("billing/invoices/<int:invoice_id>/", views.invoice_detail, name="invoice-detail"),
    path(
        "billing/invoices/<int:invoice_id>/credit-notes/",
        views.invoice_credit_notes,
        name="invoice-credit-notes",
    ),
    path("billing/tax-rates/", views.tax_rate_list, name="tax-rate-list"),
    path("billing/tax-rates/<str:country>/", views.tax_rate_detail, name="tax-rate-detail"),
    path("billing/plans/", views.plan_list, name="plan-list"),
    path("billing/plans/<slug:code>/", views.plan_detail, name="plan-detail"),
]
