"""Routes of a business's own host, ``<slug>.<PLATFORM_DOMAIN>``."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from saas_platform.urls_common import api_docs_urlpatterns
from shared_apps.tenants.api import CurrentBusinessApi
from shared_apps.users.views import LoginView
from tenant_apps.sales.receipts import views as receipt_views
from tenant_apps.staff import urls as staff_urls
from tenant_apps.terminal import urls as terminal_urls
from tenant_apps.terminal import views as terminal_views

handler400 = "saas_platform.api.views.bad_request"
handler403 = "saas_platform.api.views.permission_denied"
handler404 = "saas_platform.api.views.not_found"
handler500 = "saas_platform.api.views.server_error"

urlpatterns = [
    path("", terminal_views.home, name="home"),
    path("terminal/", include("tenant_apps.terminal.urls")),
    path("api/v1/terminal/", include((terminal_urls.api_urlpatterns, "terminal-api"))),
    # The same backoff as the API login (one authentication backend): 429 while locked.
    path("login/", LoginView.as_view(template_name="terminal/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/confirm/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="terminal/password_reset_confirm.html",
            success_url="/login/",
        ),
        name="password_reset_confirm",
    ),
    # What a receipt's QR code opens: public, read only, behind an unguessable link.
    path("r/<uuid:sale_uuid>/<str:token>/", receipt_views.receipt_page, name="receipt-page"),
    path("api/v1/business/", CurrentBusinessApi.as_view(), name="api-business"),
    path("api/v1/auth/", include(staff_urls.auth_urlpatterns)),
    path("api/v1/staff/", include(staff_urls.staff_urlpatterns)),
    path("api/v1/api-keys/", include(staff_urls.api_key_urlpatterns)),
    path("api/v1/inventory/", include("tenant_apps.inventory.urls")),
    path("api/v1/catalog/", include("tenant_apps.catalog.urls")),
    path("api/v1/purchasing/", include("tenant_apps.purchasing.urls")),
    path("api/v1/audit/", include("tenant_apps.audit.urls")),
    path("api/v1/ledger/", include("tenant_apps.ledger.urls")),
    path("api/v1/customers/", include("tenant_apps.customers.urls")),
    path("api/v1/payments/", include("tenant_apps.payments.urls")),
    path("api/v1/sales/", include("tenant_apps.sales.urls")),
    *api_docs_urlpatterns(__name__),
]
