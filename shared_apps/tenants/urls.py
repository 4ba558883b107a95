"""The public site and signup, on the root domain."""

from django.urls import path

from shared_apps.tenants import views
from shared_apps.tenants.api import SignupApi

app_name = "tenants"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("signup/done/", views.signup_done, name="signup-done"),
    path("api/v1/signup/", SignupApi.as_view(), name="tenant-signup"),
]
