"""The business's billing page (``/billing/``) and its forms, and the banner its pages and the
till show while the subscription is behind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from billing.models import BillingAccount, Plan, Subscription, SubscriptionStatus
from billing.services.dunning import dunning_advance
from billing.services.invoicing import invoice_next_boundary
from devtools.billing_fakes.server import BillingFakes
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role, User
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

PAGE = "billing-page:account"


def _owes_first_invoice(tenant: Tenant) -> Subscription:
    subscription = Subscription.objects.get(tenant=tenant)
    assert subscription.trial_end is not None
    invoice_next_boundary(subscription_id=subscription.pk, now=subscription.trial_end)
    return Subscription.objects.get(pk=subscription.pk)


def _past_due(tenant: Tenant, days: int) -> None:
    subscription = _owes_first_invoice(tenant)
    Subscription.objects.filter(pk=subscription.pk).update(
        status=SubscriptionStatus.PAST_DUE, past_due_since=timezone.now() - timedelta(days=days)
    )
    Tenant.objects.filter(pk=tenant.pk).update(status="past_due")
    dunning_advance()


def test_the_owner_sees_plan_usage_estimate_invoices_and_the_forms(
    starter_shop: Tenant, session_client: Callable[[Tenant, str], Client]
) -> None:
    subscription = _owes_first_invoice(starter_shop)
    invoice = subscription.invoices.get()
    page = session_client(starter_shop, starter_shop.owner_email)

    response = page.get(tenant_path(PAGE))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Starter" in html and "KES 2500.00" in html
    assert 'id="subscription-status">Active' in html
    assert "Completed sales" in html  # a usage line against its free units
    assert "Next invoice (estimate)" in html
    assert invoice.number is not None and invoice.number in html
    assert tenant_path("billing-account:invoice-pdf", invoice_id=invoice.pk) in html
    assert tenant_path("billing-page:payment-method-setup") in html
    assert tenant_path("billing-page:subscription-plan") in html
    assert "None saved" in html


def test_an_accountant_sees_the_page_without_its_forms_and_cannot_post_them(
    starter_shop: Tenant,
    member: Callable[..., User],
    session_client: Callable[[Tenant, str], Client],
) -> None:
    page = session_client(starter_shop, member(starter_shop, Role.ACCOUNTANT).email)

    shown = page.get(tenant_path(PAGE))
    refused = page.post(
        tenant_path("billing-page:subscription-plan"), {"plan": "growth", "when": "now"}
    )

    assert shown.status_code == 200
    assert tenant_path("billing-page:subscription-plan") not in shown.content.decode()
    assert refused.status_code == 403
    assert Subscription.objects.get(tenant=starter_shop).plan.code == "starter"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASHIER])
def test_other_roles_are_refused_the_page(
    starter_shop: Tenant,
    member: Callable[..., User],
    session_client: Callable[[Tenant, str], Client],
    role: str,
) -> None:
    page = session_client(starter_shop, member(starter_shop, role).email)

    assert page.get(tenant_path(PAGE)).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(
    starter_shop: Tenant, tenant_client: Callable[[Tenant], Client]
) -> None:
    response = tenant_client(starter_shop).get(tenant_path(PAGE))

    assert response.status_code == 302
    assert response["Location"].startswith(tenant_path("terminal:login"))


def test_the_plan_form_changes_the_plan_and_says_so(
    starter_shop: Tenant, session_client: Callable[[Tenant, str], Client]
) -> None:
    page = session_client(starter_shop, starter_shop.owner_email)

    done = page.post(
        tenant_path("billing-page:subscription-plan"), {"plan": "growth", "when": "period_end"}
    )
    bad = page.post(tenant_path("billing-page:subscription-plan"), {"plan": "nope", "when": "now"})
    malformed = page.post(
        tenant_path("billing-page:subscription-plan"), {"plan": "gro\x00wth", "when": "soon"}
    )

    assert done.status_code == bad.status_code == malformed.status_code == 302
    subscription = Subscription.objects.get(tenant=starter_shop)
    assert (subscription.plan.code, subscription.pending_plan) == (
        "starter",
        Plan.objects.get(code="growth"),
    )
    html = page.get(tenant_path(PAGE)).content.decode()
    assert "No active plan nope." in html
    assert "Choose a plan, and now or at the end of the period." in html
    assert "Moves to Growth" in html


def test_the_payment_method_form_goes_to_the_gateway_page_even_while_suspended(
    starter_shop: Tenant,
    session_client: Callable[[Tenant, str], Client],
    billing_fakes: BillingFakes,
) -> None:
    _past_due(starter_shop, 9)
    starter_shop.refresh_from_db()
    assert starter_shop.status == "suspended"
    page = session_client(starter_shop, starter_shop.owner_email)

    response = page.post(tenant_path("billing-page:payment-method-setup"))

    assert response.status_code == 302
    assert response["Location"].startswith(billing_fakes.paystack_api_base)
    assert BillingAccount.objects.get(tenant=starter_shop).setup_reference.startswith("setup-")
    cancel = page.post(tenant_path("billing-page:subscription-cancel"))
    assert cancel.status_code == 302
    assert not Subscription.objects.get(tenant=starter_shop).cancel_at_period_end


def test_returning_before_the_gateway_is_done_saves_nothing(
    starter_shop: Tenant,
    session_client: Callable[[Tenant, str], Client],
    billing_fakes: BillingFakes,
) -> None:
    page = session_client(starter_shop, starter_shop.owner_email)
    page.post(tenant_path("billing-page:payment-method-setup"))

    back = page.get(tenant_path("billing-page:payment-method-return"))

    assert back.status_code == 302
    assert not BillingAccount.objects.get(tenant=starter_shop).has_method
    assert "not saved yet" in page.get(tenant_path(PAGE)).content.decode()


# --- the banner ------------------------------------------------------------------------------


def test_no_banner_while_the_subscription_is_in_good_standing(
    starter_shop: Tenant, session_client: Callable[[Tenant, str], Client]
) -> None:
    page = session_client(starter_shop, starter_shop.owner_email)

    assert b"data-billing-status" not in page.get(tenant_path("terminal:home")).content
    till = page.get(tenant_path("terminal:terminal-page")).content.decode()
    assert "data-billing-status" not in till and 'data-hold=""' in till


def test_a_past_due_business_is_warned_on_its_pages_and_at_the_till(
    starter_shop: Tenant, session_client: Callable[[Tenant, str], Client]
) -> None:
    _past_due(starter_shop, 2)
    page = session_client(starter_shop, starter_shop.owner_email)

    home = page.get(tenant_path("terminal:home")).content.decode()
    till = page.get(tenant_path("terminal:terminal-page")).content.decode()

    for html in (home, till):
        assert 'data-billing-status="past_due"' in html
        assert "could not be charged" in html
        assert f'href="{tenant_path(PAGE)}"' in html
    # Past due still sells.
    assert 'data-hold=""' in till


@pytest.mark.parametrize(("days", "status"), [(9, "suspended"), (31, "cancelled")])
def test_a_held_business_is_told_why_and_the_till_knows_it_cannot_sell(
    starter_shop: Tenant,
    member: Callable[..., User],
    session_client: Callable[[Tenant, str], Client],
    days: int,
    status: str,
) -> None:
    _past_due(starter_shop, days)
    cashier = session_client(starter_shop, member(starter_shop, Role.CASHIER).email)

    till = cashier.get(tenant_path("terminal:terminal-page"))

    assert till.status_code == 200
    html = till.content.decode()
    assert f'data-hold="{status}"' in html
    assert f'data-billing-status="{status}"' in html and "billing-banner no-print held" in html
    assert f'href="{tenant_path(PAGE)}"' in html
