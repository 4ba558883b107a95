"""Routes of a business's own host, ``<slug>.<PLATFORM_DOMAIN>``.

Each app's routes live in its own ``urls.py`` under its label as namespace; build a path with
``reverse("<app>:<entity>-<action>")`` (docs/api.md).
"""

from django.urls import include, path

from saas_platform.urls_common import api_docs_urlpatterns

handler400 = "saas_platform.api.views.bad_request"
handler403 = "saas_platform.api.views.permission_denied"
handler404 = "saas_platform.api.views.not_found"
handler500 = "saas_platform.api.views.server_error"

urlpatterns = [
    path("", include("tenant_apps.terminal.urls")),
    path("", include("shared_apps.tenants.business_urls")),
    path("", include("billing.page_urls")),
    path("", include("tenant_apps.forecasting.page_urls")),
    # auth/, staff/ and api-keys/
    path("api/v1/", include("tenant_apps.staff.urls")),
    path("api/v1/terminal/", include("tenant_apps.terminal.api_urls")),
    path("api/v1/inventory/", include("tenant_apps.inventory.urls")),
    path("api/v1/catalog/", include("tenant_apps.catalog.urls")),
    path("api/v1/purchasing/", include("tenant_apps.purchasing.urls")),
    path("api/v1/audit/", include("tenant_apps.audit.urls")),
    path("api/v1/ledger/", include("tenant_apps.ledger.urls")),
    path("api/v1/customers/", include("tenant_apps.customers.urls")),
    path("api/v1/payments/", include("tenant_apps.payments.urls")),
    path("api/v1/sales/", include("tenant_apps.sales.urls")),
    path("api/v1/forecasting/", include("tenant_apps.forecasting.urls")),
    path("api/v1/billing/", include("billing.account_urls")),
    path("api/v1/notifications/", include("tenant_apps.notifications.urls")),
    *api_docs_urlpatterns(__name__),
]
