"""Console pages on the root domain: tenants, their status history, suspend and reactivate."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from saas_platform.errors import DukaError
from saas_platform.forms import add_error_to_form
from shared_apps.console.access import platform_owner_required
from shared_apps.console.forms import (
    PlatformOwnerAuthenticationForm,
    StatusChangeForm,
    TenantFilterForm,
)
from shared_apps.console.selectors import (
    CONSOLE_PAGE_SIZE,
    console_tenant_by_slug,
    console_tenant_list,
    console_tenant_rows,
    console_tenant_status_counts,
    console_tenant_status_history,
)
from shared_apps.console.services import (
    REACTIVATE,
    SUSPEND,
    console_actions,
    console_tenant_reactivate,
    console_tenant_suspend,
)
from shared_apps.tenants.models import Tenant, TenantStatus
from shared_apps.users.views import LoginView

StatusChange = Callable[..., Tenant]


class ConsoleLoginView(LoginView):
    template_name = "console/login.html"
    authentication_form = PlatformOwnerAuthenticationForm
    next_page = "console:tenant-list"


class ConsoleLogoutView(auth_views.LogoutView):
    next_page = "console:login"


@require_GET
@platform_owner_required
def tenant_list(request: HttpRequest) -> HttpResponse:
    form = TenantFilterForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "rows": [], "page": None, "status_counts": {}}
        return render(request, "console/tenant_list.html", context, status=400)
    tenants = console_tenant_list(
        status=form.cleaned_data["status"], search=form.cleaned_data["search"].strip()
    )
    page = Paginator(tenants, CONSOLE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": console_tenant_rows(page.object_list),
        "status_counts": _labelled_status_counts(),
    }
    return render(request, "console/tenant_list.html", context)


@require_GET
@platform_owner_required
def tenant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_detail(request, _tenant_or_404(slug))


@require_POST
@platform_owner_required
def tenant_suspend(request: HttpRequest, slug: str) -> HttpResponse:
    return _change_status(request, slug, console_tenant_suspend, action="suspend")


@require_POST
@platform_owner_required
def tenant_reactivate(request: HttpRequest, slug: str) -> HttpResponse:
    return _change_status(request, slug, console_tenant_reactivate, action="reactivate")


def _tenant_or_404(slug: str) -> Tenant:
    tenant = console_tenant_by_slug(slug=slug)
    if tenant is None:
        raise Http404("No such business.")
    return tenant


def _labelled_status_counts() -> list[tuple[str, str, int]]:
    counts = console_tenant_status_counts()
    return [(value, label, counts.get(value, 0)) for value, label in TenantStatus.choices]


def _change_status(
    request: HttpRequest, slug: str, service: StatusChange, *, action: str
) -> HttpResponse:
    tenant = _tenant_or_404(slug)
    form = StatusChangeForm(request.POST, auto_id=f"{action}_%s")
    status = 400
    if form.is_valid():
        try:
            tenant = service(
                tenant=tenant,
                reason=form.cleaned_data["reason"],
                actor_email=request.user.email,  # type: ignore[union-attr]
            )
        except DukaError as exc:
            status = exc.status
            add_error_to_form(form, exc)
        else:
            messages.success(request, f"{tenant.name} is now {tenant.get_status_display()}.")
            return redirect("console:tenant-detail", slug=tenant.slug)
    tenant.refresh_from_db()
    return _render_detail(
        request,
        tenant,
        status=status,
        suspend_form=form if action == "suspend" else None,
        reactivate_form=form if action == "reactivate" else None,
    )


def _render_detail(
    request: HttpRequest,
    tenant: Tenant,
    *,
    status: int = 200,
    suspend_form: StatusChangeForm | None = None,
    reactivate_form: StatusChangeForm | None = None,
) -> HttpResponse:
    submitted = suspend_form or reactivate_form
    row = console_tenant_rows([tenant])[0]
    actions = console_actions(tenant.status)
    context = {
        # Shown above the forms: the form that failed may be hidden by the tenant's status now.
        "action_errors": submitted.non_field_errors() if submitted else [],
        "tenant": tenant,
        "row": row,
        "domain": tenant.get_primary_domain(),
        "history": console_tenant_status_history(tenant=tenant),
        "suspend_form": suspend_form or StatusChangeForm(auto_id="suspend_%s"),
        "reactivate_form": reactivate_form or StatusChangeForm(auto_id="reactivate_%s"),
        # Only what is valid now: a trial can be suspended, only a suspension reactivated.
        "can_suspend": SUSPEND in actions,
        "can_reactivate": REACTIVATE in actions,
    }
    return render(request, "console/tenant_detail.html", context, status=status)
