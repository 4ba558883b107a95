"""Web pages on the root domain: landing and signup."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from saas_platform.forms import form_submit
from shared_apps.tenants.business_links import business_links_send
from shared_apps.tenants.forms import BusinessAddressForm, FindBusinessForm, SignupForm
from shared_apps.tenants.links import tenant_url
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.selectors import tenant_by_slug
from shared_apps.tenants.services import SignupData, signup_validate, tenant_signup
from shared_apps.users import lockout, ratelimit

# The session remembers which business this browser just made, for the page after the redirect.
SIGNED_UP_SESSION_KEY = "signed_up_slug"


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/landing.html")


def _business_login_url(tenant: Tenant, email: str = "") -> str:
    query = f"?{urlencode({'email': email})}" if email else ""
    return tenant_url(tenant, "terminal:login") + query


def _see_other(url: str) -> HttpResponse:
    response = redirect(url)
    response.status_code = 303  # "see other": the browser GETs it, never re-POSTs
    return response


def _login_context(form: BusinessAddressForm) -> dict[str, object]:
    return {"form": form, "domain": settings.PLATFORM_DOMAIN}


@require_http_methods(["GET", "POST"])
def root_login(request: HttpRequest) -> HttpResponse:
    """People sign in on their business's own host; this page asks which one and sends them
    there. Passwords are never typed on the root domain."""
    form = BusinessAddressForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            tenant = tenant_by_slug(form.cleaned_data["slug"])
            if tenant is not None and tenant.schema_name != "public":
                return _see_other(_business_login_url(tenant, form.cleaned_data["email"]))
            form.add_error("slug", "No business has this address. Check its spelling.")
        return render(request, "tenants/login.html", _login_context(form), status=400)
    return render(request, "tenants/login.html", _login_context(form))


@require_http_methods(["GET", "POST"])
def find_business(request: HttpRequest) -> HttpResponse:
    """Mails the login links of the businesses an e-mail signed up; the page answers the same
    whether or not there are any."""
    form = FindBusinessForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "tenants/find_business.html", {"form": form}, status=400)
        email = form.cleaned_data["email"]
        try:
            ratelimit.throttle_business_lookup(
                address=lockout.client_address(request.META), email=email
            )
        except ratelimit.Throttled as exc:
            form.add_error(None, exc.message)
            response = render(request, "tenants/find_business.html", {"form": form}, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        business_links_send(email=email)
        return render(request, "tenants/find_business.html", {"form": None, "sent_to": email})
    return render(request, "tenants/find_business.html", {"form": form})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)

    def sign_up(cleaned: dict[str, Any]) -> Tenant:
        data = SignupData(**cleaned)
        # Mistakes cost nothing; only a signup that would make a business is counted.
        signup_validate(data=data)
        ratelimit.throttle_signup(
            address=lockout.client_address(request.META), email=data.owner_email
        )
        return tenant_signup(data=data)

    sent = form_submit(request, form, sign_up)
    if sent.ok and sent.done is not None:
        # POST/redirect/GET: reloading the next page shows it again, signs up nobody.
        request.session[SIGNED_UP_SESSION_KEY] = sent.done.slug
        return _see_other(reverse("tenants:signup-done"))
    status = sent.status
    retry_after = getattr(sent.error, "retry_after", None)
    response = render(request, "tenants/signup.html", {"form": form}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_GET
def signup_done(request: HttpRequest) -> HttpResponse:
    """Where the new business lives and where its owner logs in."""
    slug = request.session.get(SIGNED_UP_SESSION_KEY)
    tenant = tenant_by_slug(slug) if isinstance(slug, str) else None
    if tenant is None:
        return redirect("tenants:signup")
    context = {
        "tenant": tenant,
        "url": tenant_url(tenant, "terminal:home"),
        "login_url": _business_login_url(tenant, tenant.owner_email),
    }
    return render(request, "tenants/signup_done.html", context)
