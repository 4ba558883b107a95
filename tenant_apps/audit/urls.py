from django.urls import path

from tenant_apps.audit.api.entries import AuditEntryListApi

urlpatterns = [path("entries/", AuditEntryListApi.as_view(), name="audit-entries")]
