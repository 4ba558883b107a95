"""Routes of the root domain: the public site, signup and the platform console."""

from django.urls import include, path

from saas_platform.urls_common import api_docs_urlpatterns
from shared_apps.tenants import views
from shared_apps.tenants.api import SignupApi

handler400 = "saas_platform.api.views.bad_request"
handler403 = "saas_platform.api.views.permission_denied"
handler404 = "saas_platform.api.views.not_found"
handler500 = "saas_platform.api.views.server_error"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("signup/done/", views.signup_done, name="signup-done"),
    path("login/", views.root_login, name="root-login"),
    path("find-business/", views.find_business, name="find-business"),
    path("api/v1/signup/", SignupApi.as_view(), name="api-signup"),
    path("console/", include("shared_apps.console.urls")),
    path("api/v1/console/", include("shared_apps.console.api_urls")),
    *api_docs_urlpatterns(__name__),
]
