"""Host-name routing: which schema and which URLconf serve a request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from billing.standing import allowed_while_held, billing_hold, held_message
from saas_platform.errors import error_body
from saas_platform.tenancy import use_public_schema
from shared_apps.tenants.activity import tenant_touch_activity

HEALTH_PATHS = frozenset({"/healthz", "/readyz"})
HEALTH_URLCONF = "saas_platform.urls_health"


def _route(request: HttpRequest) -> str | None:
    """``namespace:name`` of the route the request is for (None: no route matches)."""
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}"


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


class TenantRoutingMiddleware(TenantMainMiddleware):
    """django-tenants' routing, plus health probes on any host, clean 404s and status refusals."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if request.path in HEALTH_PATHS:
            # Probes come from load balancers that know no tenant; they never touch tenant data.
            use_public_schema()
            request.urlconf = HEALTH_URLCONF
            return None
        response: HttpResponse | None = super().process_request(request)
        if response is not None:
            return response
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == get_public_schema_name():
            return None
        if tenant.is_blocked:
            hold = billing_hold(tenant)
            if hold is None:
                use_public_schema()
                return self.refuse(request, tenant)
            # Held by billing: read-only, and it can still pay (billing/standing.py).
            request.billing_hold = hold  # type: ignore[attr-defined]
            if not allowed_while_held(request.method or "GET", _route(request)):
                return self.refuse_write(request, tenant, hold)
        tenant_touch_activity(tenant)
        return None

    @staticmethod
    def refuse_write(request: HttpRequest, tenant: object, hold: str) -> HttpResponse:
        message = held_message(hold, getattr(tenant, "name", ""))
        if wants_json(request):
            return JsonResponse(error_body(f"subscription_{hold}", message), status=402)
        return render(
            request,
            "tenants/unavailable.html",
            {"business_name": getattr(tenant, "name", ""), "status": hold, "message": message},
            status=402,
        )

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        message = f"No business is registered at {hostname}."
        if wants_json(request):
            return JsonResponse(error_body("unknown_host", message), status=404)
        return render(request, "tenants/unknown_host.html", {"hostname": hostname}, status=404)

    @staticmethod
    def refuse(request: HttpRequest, tenant: object) -> HttpResponse:
        status = getattr(tenant, "status", "")
        name = getattr(tenant, "name", "")
        message = (
            f"{name} is {status.replace('_', ' ')} on Duka and cannot be used right now. "
            "The owner can contact Duka support to restore access."
        )
        if wants_json(request):
            return JsonResponse(error_body(f"tenant_{status}", message), status=403)
        return render(
            request,
            "tenants/unavailable.html",
            {"business_name": name, "status": status, "message": message},
            status=403,
        )
