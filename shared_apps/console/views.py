"""Console pages on the root domain: tenants, their status history, suspend and reactivate;
billing's figures, invoices and credit notes, tax rates and plans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import figures
from billing import selectors as billing_selectors
from billing.models import Invoice
from billing.services.catalog import PLAN_FIELDS, plan_update
from billing.services.credit_notes import CREDITABLE, credit_note_issue
from billing.services.tax_rates import tax_rate_create, tax_rate_update
from saas_platform.errors import NotFound
from saas_platform.forms import form_submit
from shared_apps.console.access import platform_owner_required
from shared_apps.console.forms import (
    CreditNoteForm,
    InvoiceFilterForm,
    PeriodForm,
    PlanForm,
    PlatformOwnerAuthenticationForm,
    StatusChangeForm,
    TaxRateCreateForm,
    TaxRateForm,
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
_Found = TypeVar("_Found")


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
    actor = request.user.email  # type: ignore[union-attr]
    sent = form_submit(
        request, form, lambda data: service(tenant=tenant, reason=data["reason"], actor_email=actor)
    )
    if sent.ok and sent.done is not None:
        changed = sent.done
        messages.success(request, f"{changed.name} is now {changed.get_status_display()}.")
        return redirect("console:tenant-detail", slug=changed.slug)
    tenant.refresh_from_db()
    return _render_detail(
        request,
        tenant,
        status=sent.status,
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


# --- billing ------------------------------------------------------------------------------------


@require_GET
@platform_owner_required
def billing_report(request: HttpRequest) -> HttpResponse:
    """The figures over a period, each business's usage not yet invoiced, open mismatches."""
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "console/billing.html", {"form": form}, status=400)
    period = form.cleaned_data
    usage_page = Paginator(figures.usage_subscriptions(), CONSOLE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "figures": figures.platform_figures(start=period["start"], end=period["end"]),
        "usage_page": usage_page,
        "usage": figures.usage_rows(usage_page.object_list),
        "mismatches": figures.open_mismatches()[:CONSOLE_PAGE_SIZE],
    }
    return render(request, "console/billing.html", context)


@require_GET
@platform_owner_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    form = InvoiceFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "console/invoice_list.html", {"form": form}, status=400)
    invoices = billing_selectors.console_invoice_list(
        tenant_slug=form.cleaned_data["tenant"],
        status=form.cleaned_data["status"],
        past_due=form.cleaned_data["past_due"],
    )
    page = Paginator(invoices, CONSOLE_PAGE_SIZE).get_page(request.GET.get("page"))
    credit_notes = billing_selectors.console_credit_note_list(
        tenant_slug=form.cleaned_data["tenant"]
    )
    context = {"form": form, "page": page, "credit_notes": credit_notes[:CONSOLE_PAGE_SIZE]}
    return render(request, "console/invoice_list.html", context)


@require_GET
@platform_owner_required
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    return _render_invoice(request, _invoice_or_404(invoice_id), CreditNoteForm())


@require_POST
@platform_owner_required
def invoice_credit_notes(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """Issues a credit note from the invoice page's form."""
    invoice = _invoice_or_404(invoice_id)
    form = CreditNoteForm(request.POST)
    by = request.user.email  # type: ignore[union-attr]
    sent = form_submit(
        request,
        form,
        lambda data: credit_note_issue(
            invoice_id=invoice.pk, amount=data["amount"], reason=data["reason"], issued_by=by
        ),
    )
    if sent.ok and sent.done is not None:
        messages.success(request, f"Credit note {sent.done.number} issued on {invoice.number}.")
        return redirect("console:invoice-detail", invoice_id=invoice.pk)
    return _render_invoice(request, _invoice_or_404(invoice_id), form, status=sent.status)


def _invoice_or_404(invoice_id: int) -> Invoice:
    try:
        return billing_selectors.console_invoice_get(invoice_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _render_invoice(
    request: HttpRequest, invoice: Invoice, form: CreditNoteForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "invoice": invoice,
        "form": form,
        "creditable_minor": invoice.total_minor - billing_selectors.invoice_credited_minor(invoice),
        "can_credit": invoice.status in CREDITABLE,
    }
    return render(request, "console/invoice_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@platform_owner_required
def tax_rate_list(request: HttpRequest) -> HttpResponse:
    """Every country's rate, and a form adding one."""
    form = TaxRateCreateForm(request.POST or None)
    sent = form_submit(request, form, lambda data: tax_rate_create(**data))
    if sent.ok and sent.done is not None:
        return _tax_rate_saved(request, sent.done)
    context = {"form": form, "rates": billing_selectors.tax_rate_list()}
    return render(request, "console/tax_rates.html", context, status=sent.status)


@require_http_methods(["GET", "POST"])
@platform_owner_required
def tax_rate_detail(request: HttpRequest, country: str) -> HttpResponse:
    tax = _or_404(billing_selectors.tax_rate_get, country)
    initial = {"name": tax.name, "rate": tax.rate, "is_active": tax.is_active}
    form = TaxRateForm(request.POST or None, initial=initial)
    sent = form_submit(request, form, lambda data: tax_rate_update(country=tax.country, **data))
    if sent.ok and sent.done is not None:
        return _tax_rate_saved(request, sent.done)
    context = {"form": form, "tax": tax}
    return render(request, "console/tax_rate_edit.html", context, status=sent.status)


def _tax_rate_saved(request: HttpRequest, tax: Any) -> HttpResponse:
    messages.success(request, f"{tax.country}: {tax.name} at {tax.rate}.")
    return redirect("console:tax-rate-list")


@require_GET
@platform_owner_required
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "console/plan_list.html", {"plans": billing_selectors.plan_list()})


@require_http_methods(["GET", "POST"])
@platform_owner_required
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A plan's form; saving calls the catalog's ``plan_update``, as the API's PATCH does."""
    plan = _or_404(billing_selectors.plan_get, code)
    fees = {str(fee.currency): fee.amount for fee in plan.base_fees()}
    initial = {name: getattr(plan, name) for name in PLAN_FIELDS}
    initial.update({f"fee_{currency}": amount for currency, amount in fees.items()})
    form = PlanForm(request.POST or None, initial=initial, currencies=sorted(fees))

    def save(_data: dict[str, Any]) -> str:
        fields, prices = form.changes()
        plan_update(code=plan.code, prices=prices, **fields)
        return str(fields["name"])

    sent = form_submit(request, form, save)
    if sent.ok:
        messages.success(request, f"{sent.done} saved.")
        return redirect("console:plan-list")
    context = {"form": form, "plan": plan}
    return render(request, "console/plan_edit.html", context, status=sent.status)


def _or_404(selector: Callable[[str], _Found], key: str) -> _Found:
    """What a billing selector found by ``key``; its NotFound as a page's 404."""
    try:
        return selector(key)
    except NotFound as exc:
        raise Http404(exc.message) from exc
