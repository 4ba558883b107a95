from django.urls import path

from tenant_apps.audit.api.entries import AuditEntryListApi

app_name = "audit"

urlpatterns = [path("entries/", AuditEntryListApi.as_view(), name="entry-list")]
