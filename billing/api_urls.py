"""Billing's console API, mounted at ``/api/v1/console/billing/`` on the root domain only."""

from django.urls import path

from billing.api.catalog import (
    ChargeDetailApi,
    ChargeListApi,
    MetricListApi,
    PlanDetailApi,
    PlanListApi,
)
from billing.api.figures import FiguresApi, MismatchListApi, UsageListApi
from billing.api.invoices import (
    CreditNoteListApi,
    InvoiceCreditNotesApi,
    InvoiceDetailApi,
    InvoiceListApi,
)
from billing.api.tax_rates import TaxRateDetailApi, TaxRateListApi

app_name = "billing-console"

urlpatterns = [
    path("plans/", PlanListApi.as_view(), name="plan-list"),
    path("plans/<slug:code>/", PlanDetailApi.as_view(), name="plan-detail"),
    path("plans/<slug:code>/charges/", ChargeListApi.as_view(), name="charge-list"),
    path(
        "plans/<slug:code>/charges/<int:charge_id>/",
        ChargeDetailApi.as_view(),
        name="charge-detail",
    ),
    path("metrics/", MetricListApi.as_view(), name="metric-list"),
    path("figures/", FiguresApi.as_view(), name="figures-report"),
    path("usage/", UsageListApi.as_view(), name="usage-list"),
    path("mismatches/", MismatchListApi.as_view(), name="mismatch-list"),
    path("invoices/", InvoiceListApi.as_view(), name="invoice-list"),
    path("invoices/<int:invoice_id>/", InvoiceDetailApi.as_view(), name="invoice-detail"),
    path(
        "invoices/<int:invoice_id>/credit-notes/",
        InvoiceCreditNotesApi.as_view(),
        name="invoice-credit-notes",
    ),
    path("credit-notes/", CreditNoteListApi.as_view(), name="credit-note-list"),
    path("tax-rates/", TaxRateListApi.as_view(), name="tax-rate-list"),
    path("tax-rates/<str:country>/", TaxRateDetailApi.as_view(), name="tax-rate-detail"),
]
