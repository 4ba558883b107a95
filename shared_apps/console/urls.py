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
]
