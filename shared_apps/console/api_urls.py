"""Console API, mounted at ``/api/v1/console/`` on the root domain only."""

from django.urls import path

from shared_apps.console.api import ConsoleTenantListApi

app_name = "console-api"

urlpatterns = [
    path("tenants/", ConsoleTenantListApi.as_view(), name="tenant-list"),
]
