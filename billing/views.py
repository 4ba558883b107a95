"""The business's billing page, ``/billing/`` on its own host: plan, status, usage against
what the plan includes, the next invoice's estimate, invoices, plan changes and the payment
method (docs/billing-account.md).

Owners and accountants see it (``billing.view``); its forms are the owner's
(``billing.manage``). Each form calls the same service as the API and comes back to the page
with what happened. Like the API these routes stay open to writes while billing holds the
business (billing/standing.py), so that a suspended business can save a payment method here.
"""

from __future__ import annotations

from contextlib import suppress

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from billing import overview, selectors
from billing.forms import PlanChangeForm
from billing.gateways.base import GatewayError
from billing.services.accounts import account_finish_setup, account_start_setup
from billing.services.subscriptions import (
    CHANGE_TIMINGS,
    subscription_cancel,
    subscription_change_plan,
    subscription_reactivate,
)
from saas_platform.errors import DukaError, NotFound
from saas_platform.tenancy import current_business
from shared_apps.tenants.links import tenant_url
from tenant_apps.staff.access import Action
from tenant_apps.staff.page_access import page_allows, page_require

INVOICES_SHOWN = 24


def _back() -> HttpResponseRedirect:
    return redirect("billing-page:account")


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    page_require(request, Action.BILLING_VIEW)
    tenant = current_business()
    now = timezone.now()
    upcoming = None
    with suppress(NotFound):  # no invoice is coming (cancelled): the page says so
        upcoming = overview.upcoming_invoice(tenant=tenant, now=now)
    context = {
        "tenant": tenant,
        "overview": overview.subscription_overview(tenant=tenant),
        "usage": overview.usage_so_far(tenant=tenant, now=now),
        "upcoming": upcoming,
        "offers": overview.plan_offers(tenant=tenant),
        "invoices": selectors.invoice_list(tenant=tenant)[:INVOICES_SHOWN],
        "credit_notes": selectors.credit_note_list(tenant=tenant)[:INVOICES_SHOWN],
        "may_manage": page_allows(request, Action.BILLING_MANAGE),
        "timings": CHANGE_TIMINGS,
    }
    return render(request, "billing/account.html", context)


def _act(request: HttpRequest, done: str, action: object) -> HttpResponseRedirect:
    """Runs ``action`` (a service call) for the owner and comes back to the page with ``done``
    or with the service's refusal, as the API would have said it."""
    page_require(request, Action.BILLING_MANAGE)
    try:
        action()  # type: ignore[operator]
    except DukaError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return _back()


@login_required
@require_POST
def subscription_plan(request: HttpRequest) -> HttpResponseRedirect:
    form = PlanChangeForm(request.POST)
    if not form.is_valid():
        page_require(request, Action.BILLING_MANAGE)
        messages.error(request, "Choose a plan, and now or at the end of the period.")
        return _back()
    plan, when = form.cleaned_data["plan"], form.cleaned_data["when"]
    return _act(
        request,
        "The plan is changed." if when == "now" else "The plan changes when this period ends.",
        lambda: subscription_change_plan(tenant=current_business(), plan_code=plan, when=when),
    )


@login_required
@require_POST
def subscription_cancel_page(request: HttpRequest) -> HttpResponseRedirect:
    return _act(
        request,
        "The subscription ends with the current period.",
        lambda: subscription_cancel(tenant=current_business()),
    )


@login_required
@require_POST
def subscription_reactivate_page(request: HttpRequest) -> HttpResponseRedirect:
    return _act(
        request,
        "The subscription goes on.",
        lambda: subscription_reactivate(tenant=current_business()),
    )


@login_required
@require_POST
def payment_method_setup(request: HttpRequest) -> HttpResponseRedirect:
    """Sends the owner to the gateway's own page to save a method; the gateway sends them back
    to :func:`payment_method_return`, an address of ours, never one a request names."""
    page_require(request, Action.BILLING_MANAGE)
    tenant = current_business()
    try:
        session = account_start_setup(
            tenant=tenant, return_url=tenant_url(tenant, "billing-page:payment-method-return")
        )
    except (DukaError, GatewayError):
        messages.error(request, "The payment gateway did not answer; try again in a minute.")
        return _back()
    return redirect(session.url)


@login_required
@require_GET
def payment_method_return(request: HttpRequest) -> HttpResponseRedirect:
    """Where the gateway sends the owner back: saves the method of this business's own pending
    setup (its reference is ours, never read from the address) and so charges what is unpaid.
    Safe to reach twice, or before the gateway is done (nothing is saved then)."""
    page_require(request, Action.BILLING_MANAGE)
    tenant = current_business()
    account_row = selectors.billing_account_of(tenant)
    saved = None
    if account_row is not None and account_row.setup_reference:
        try:
            saved = account_finish_setup(
                gateway=account_row.gateway, reference=account_row.setup_reference
            )
        except GatewayError:
            saved = None
    if saved is not None and saved.has_method:
        messages.success(request, f"{saved.method_label or 'The payment method'} is saved.")
    else:
        messages.error(
            request,
            "The payment method is not saved yet. If you finished at the gateway, "
            "reload this page in a minute.",
        )
    return _back()
