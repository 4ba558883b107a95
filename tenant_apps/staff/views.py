"""The business site's page for "I forgot my password" (the API has its twin,
``POST /api/v1/auth/password-reset/``): the same throttle, the same e-mail, the same answer
whether or not the address belongs to someone here."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from saas_platform.tenancy import current_business
from shared_apps.users import lockout, ratelimit
from tenant_apps.staff.services import password_reset_request

TEMPLATE = "terminal/password_reset_request.html"


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label="E-mail")


@require_http_methods(["GET", "POST"])
def password_reset_request_page(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "GET":
        return render(request, TEMPLATE, {"form": form})
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    email = form.cleaned_data["email"]
    try:
        ratelimit.throttle_password_reset(address=lockout.client_address(request.META), email=email)
    except ratelimit.Throttled as exc:
        form.add_error(None, exc.message)
        response = render(request, TEMPLATE, {"form": form}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    password_reset_request(tenant=current_business(), email=email)
    return render(request, TEMPLATE, {"form": None, "sent_to": email})
