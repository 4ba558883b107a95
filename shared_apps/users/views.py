"""The login page view shared by a business's site and the platform console."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from shared_apps.users.forms import LoginForm


class LoginView(auth_views.LoginView):
    """Django's ``LoginView`` answering 429 with ``Retry-After`` while the login is locked."""

    authentication_form = LoginForm

    def form_invalid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.locked is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.locked.retry_after)
        return response
