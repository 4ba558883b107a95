"""Web pages on the root domain: landing and signup."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from saas_platform.errors import DukaError
from shared_apps.tenants.forms import SignupForm
from shared_apps.tenants.links import tenant_url
from shared_apps.tenants.selectors import tenant_by_slug
from shared_apps.tenants.services import SignupData, signup_validate, tenant_signup
from shared_apps.users import lockout, ratelimit

# The session remembers which business this browser just made, for the page after the redirect.
SIGNED_UP_SESSION_KEY = "signed_up_slug"


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/landing.html")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    status = 200
    retry_after: int | None = None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = SignupData(**form.cleaned_data)
            try:
                # Mistakes cost nothing; only a signup that would make a business is counted.
                signup_validate(data=data)
                ratelimit.throttle_signup(
                    address=lockout.client_address(request.META), email=data.owner_email
                )
                tenant = tenant_signup(data=data)
            except DukaError as exc:
                status = exc.status
                retry_after = getattr(exc, "retry_after", None)
                for field, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error["message"])
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                # POST/redirect/GET: reloading the next page shows it again, signs up nobody.
                request.session[SIGNED_UP_SESSION_KEY] = tenant.slug
                done = redirect("tenants:signup-done")
                done.status_code = 303  # "see other": the browser GETs it, never re-POSTs
                return done
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
        "login_url": tenant_url(tenant, "terminal:login"),
    }
    return render(request, "tenants/signup_done.html", context)
