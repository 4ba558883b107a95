"""Web pages on the root domain: landing and signup."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from saas_platform.errors import DukaError
from shared_apps.tenants.forms import SignupForm
from shared_apps.tenants.links import tenant_base_url
from shared_apps.tenants.services import SignupData, tenant_signup


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/landing.html")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = tenant_signup(data=SignupData(**form.cleaned_data))
        except DukaError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error["message"])
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            base = tenant_base_url(tenant)
            return render(
                request,
                "tenants/signup_done.html",
                {"tenant": tenant, "url": base + "/", "login_url": base + "/login/"},
                status=201,
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "tenants/signup.html", {"form": form}, status=status)
