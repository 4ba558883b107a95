"""Reads of the billing catalog, subscriptions, invoices, credit notes and tax rates."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from moneyed import Money

from billing.figures import past_due_invoices
from billing.models import (
    FALLBACK_CURRENCY,
    BillableMetric,
    BillingAccount,
    Charge,
    CreditNote,
    Invoice,
    InvoiceStatus,
    Plan,
    PlanPrice,
    Subscription,
    TaxRate,
)
from saas_platform.errors import NotFound
from saas_platform.list_filters import filter_given
from shared_apps.tenants.models import Tenant


def plan_list(*, active_only: bool = False) -> QuerySet[Plan]:
    plans = Plan.objects.prefetch_related(
        "prices",
        Prefetch(
            "charges", queryset=Charge.objects.select_related("metric").prefetch_related("prices")
        ),
    ).order_by("code")
    return plans.filter(is_active=True) if active_only else plans


def plan_get(code: str) -> Plan:
    plan = plan_list().filter(code=code).first()
    if plan is None:
        raise NotFound(f"No plan {code}.")
    return plan


def default_plan() -> Plan | None:
    return Plan.objects.filter(is_default=True, is_active=True).first()


def plan_price(plan: Plan, currency: str) -> Money | None:
    """The base fee of ``plan`` in ``currency`` (None: not sold in it). Reads
    ``plan.prices.all()``, so a prefetch serves it."""
    price: PlanPrice | None = next(
        (p for p in plan.prices.all() if str(p.amount.currency) == currency), None
    )
    return None if price is None else price.amount


def billing_currency(plan: Plan, wanted: str) -> str:
    """The business's own currency when the plan has a price in it, else the fallback."""
    return wanted if plan_price(plan, wanted) is not None else FALLBACK_CURRENCY


def subscription_of(tenant: Tenant) -> Subscription | None:
    return Subscription.objects.select_related("plan", "pending_plan").filter(tenant=tenant).first()


def metric_list() -> QuerySet[BillableMetric]:
    return BillableMetric.objects.order_by("code")


# --- what a business sees of its own billing -------------------------------------------------
# Every read below takes the business and filters by it: another business's ids find nothing.


def billing_account_of(tenant: Tenant) -> BillingAccount | None:
    return BillingAccount.objects.filter(tenant=tenant).first()


def invoice_list(*, tenant: Tenant) -> QuerySet[Invoice]:
    """``tenant``'s issued invoices, newest first (a draft exists only inside the transaction
    that issues it, and is never shown)."""
    return (
        Invoice.objects.filter(tenant=tenant)
        .exclude(status=InvoiceStatus.DRAFT)
        .order_by("-issued_for", "-id")
    )


def invoice_get(*, tenant: Tenant, invoice_id: int) -> Invoice:
    """One of ``tenant``'s issued invoices with its lines and credit notes; NotFound for any
    other id, another business's included."""
    invoice = (
        invoice_list(tenant=tenant)
        .select_related("tenant")
        .prefetch_related("lines", "credit_notes")
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None:
        raise NotFound("No such invoice.", code="invoice_not_found")
    return invoice


def credit_note_list(*, tenant: Tenant) -> QuerySet[CreditNote]:
    return (
        CreditNote.objects.filter(tenant=tenant)
        .select_related("invoice", "applied_to")
        .order_by("-created_at", "-id")
    )


def credit_note_get(*, tenant: Tenant, credit_note_id: int) -> CreditNote:
    note = (
        credit_note_list(tenant=tenant).select_related("tenant").filter(pk=credit_note_id).first()
    )
    if note is None:
        raise NotFound("No such credit note.", code="credit_note_not_found")
    return note


# --- invoices, credit notes and tax rates (platform owners) ---------------------------------


def console_invoice_list(
    *, tenant_slug: str = "", status: str = "", past_due: bool = False
) -> QuerySet[Invoice]:
    """Issued invoices of every business, newest first; drafts exist only inside the
    transaction that issues them and are never listed."""
    invoices = past_due_invoices() if past_due else Invoice.objects.all()
    invoices = invoices.exclude(status=InvoiceStatus.DRAFT).select_related("tenant")
    invoices = filter_given(invoices, tenant__slug=tenant_slug, status=status)
    return invoices.order_by("-issued_for", "-id")


def console_invoice_get(pk: int) -> Invoice:
    """One issued invoice with its lines, charge attempts and credit notes."""
    invoice = (
        Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
        .select_related("tenant")
        .prefetch_related("lines", "attempts", "credit_notes")
        .filter(pk=pk)
        .first()
    )
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


def invoice_credited_minor(invoice: Invoice) -> int:
    """What credit notes took off ``invoice`` so far (reads ``credit_notes.all()``, so the
    prefetch of :func:`invoice_get` serves it)."""
    return sum(note.amount_minor for note in invoice.credit_notes.all())


def console_credit_note_list(
    *, tenant_slug: str = "", invoice_id: int | None = None
) -> QuerySet[CreditNote]:
    notes = CreditNote.objects.select_related("tenant", "invoice", "applied_to")
    if tenant_slug:
        notes = notes.filter(tenant__slug=tenant_slug)
    if invoice_id is not None:
        notes = notes.filter(invoice_id=invoice_id)
    return notes.order_by("-created_at", "-id")


def tax_rate_list() -> QuerySet[TaxRate]:
    return TaxRate.objects.order_by("country")


def tax_rate_get(country: str) -> TaxRate:
    rate = TaxRate.objects.filter(country=country.upper()).first()
    if rate is None:
        raise NotFound(f"No tax rate for {country[:10]}.")
    return rate


def subscriptions_by_tenant(tenant_ids: Iterable[int]) -> dict[int, Subscription]:
    """The subscriptions (with their plans) of the given businesses, by tenant id, in one
    query: what a page of businesses shows beside each one."""
    return {
        s.tenant_id: s
        for s in Subscription.objects.select_related("plan").filter(tenant_id__in=list(tenant_ids))
    }
