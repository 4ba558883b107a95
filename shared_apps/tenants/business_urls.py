"""The business itself, on its own host (``saas_platform/urls_tenant.py``)."""

from django.urls import path

from shared_apps.tenants.api import CurrentBusinessApi

app_name = "tenants"

urlpatterns = [
    path("api/v1/business/", CurrentBusinessApi.as_view(), name="business-detail"),
]
