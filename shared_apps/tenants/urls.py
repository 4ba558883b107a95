"""The public site and signup, on the root domain."""

from django.urls import path

from shared_apps.tenants import views
from shared_apps.tenants.api import SignupApi

app_name = "tenants"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("signup/done/", views.signup_done, name="signup-done"),
    # People sign in on their business's host: these pages send them there.
    path("login/", views.root_login, name="login"),
    path("find-business/", views.find_business, name="business-find"),
    path("api/v1/signup/", SignupApi.as_view(), name="tenant-signup"),
]
