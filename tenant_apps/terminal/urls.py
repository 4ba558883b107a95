"""Pages of a business's own site, the till among them, mounted at its root (the API lives
under ``/api/v1/``, the till's own in ``api_urls.py``)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from shared_apps.users.views import LoginView
from tenant_apps.sales.receipts import views as receipt_views
from tenant_apps.staff import views as staff_views
from tenant_apps.terminal import views

app_name = "terminal"

urlpatterns = [
    path("", views.home, name="home"),
    # The till, and its service worker, served from the till's own path to get its scope.
    path("terminal/", views.terminal, name="terminal-page"),
    path("terminal/sw.js", views.service_worker, name="service-worker"),
    # The same backoff as the API login (one authentication backend): 429 while locked.
    path("login/", LoginView.as_view(template_name="terminal/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", staff_views.password_reset_request_page, name="password-reset-request"),
    path(
        "password-reset/confirm/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="terminal/password_reset_confirm.html",
            success_url=reverse_lazy("terminal:login"),
        ),
        name="password-reset-confirm",
    ),
    # What a receipt's QR code opens: public, read only, behind an unguessable link.
    path("r/<uuid:sale_uuid>/<str:token>/", receipt_views.receipt_page, name="receipt-page"),
]
