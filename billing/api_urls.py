"""Billing's console API, mounted at ``/api/v1/console/billing/`` on the root domain only."""

from django.urls import path

from billing.api.catalog import (
    ChargeDetailApi,
    ChargeListApi,
    MetricListApi,
    PlanDetailApi,
    PlanListApi,
)

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
]
