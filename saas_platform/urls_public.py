"""Routes of the root domain: the public site, signup and the platform console."""

from django.urls import include, path

from saas_platform.urls_common import api_docs_urlpatterns

handler400 = "saas_platform.api.views.bad_request"
handler403 = "saas_platform.api.views.permission_denied"
handler404 = "saas_platform.api.views.not_found"
handler500 = "saas_platform.api.views.server_error"

urlpatterns = [
    path("", include("shared_apps.tenants.urls")),
    path("console/", include("shared_apps.console.urls")),
    path("api/v1/console/billing/", include("billing.api_urls")),
    path("api/v1/billing/webhooks/", include("billing.webhook_urls")),
    path("api/v1/notifications/delivery-reports/", include("shared_apps.delivery_reports.urls")),
    path("api/v1/console/", include("shared_apps.console.api_urls")),
    *api_docs_urlpatterns(__name__),
]
