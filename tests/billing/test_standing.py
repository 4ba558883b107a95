"""Dunning past the retries, and what a business held by billing may still do: sign in, read,
export and pay; every other write refused with 402 and a code the terminal can show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.models import Invoice, InvoiceStatus, Subscription, SubscriptionStatus
from billing.services.dunning import dunning_advance
from billing.services.invoicing import invoice_next_boundary
from shared_apps.console.services import console_tenant_suspend
from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product
from tests.support.people import login
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db


def _past_due(tenant: Tenant, days: int) -> Subscription:
    """``tenant`` owes its first invoice and has been past due for ``days`` days."""
    subscription = Subscription.objects.get(tenant=tenant)
    assert subscription.trial_end is not None
    invoice_next_boundary(subscription_id=subscription.pk, now=subscription.trial_end)
    Subscription.objects.filter(pk=subscription.pk).update(
        status=SubscriptionStatus.PAST_DUE, past_due_since=timezone.now() - timedelta(days=days)
    )
    Tenant.objects.filter(pk=tenant.pk).update(status="past_due")
    return Subscription.objects.get(pk=subscription.pk)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (7, SubscriptionStatus.PAST_DUE),
        (8, SubscriptionStatus.SUSPENDED),
        (30, SubscriptionStatus.CANCELLED),
    ],
)
def test_dunning_suspends_after_the_grace_period_and_cancels_later(
    starter_shop: Tenant, days: int, expected: str, django_capture_on_commit_callbacks: Any
) -> None:
    subscription = _past_due(starter_shop, days)

    with django_capture_on_commit_callbacks(execute=True):
        dunning_advance()

    subscription.refresh_from_db()
    starter_shop.refresh_from_db()
    assert (subscription.status, starter_shop.status) == (expected, expected)
    invoice = Invoice.objects.get(subscription=subscription)
    if expected == SubscriptionStatus.CANCELLED:
        assert invoice.status == InvoiceStatus.UNCOLLECTIBLE
        assert subscription.next_invoice_at is None
        assert "cancelled for non-payment" in mail.outbox[-1].body
    elif expected == SubscriptionStatus.SUSPENDED:
        assert invoice.status == InvoiceStatus.FINALIZED
        assert "is suspended" in mail.outbox[-1].body
    else:
        assert mail.outbox == []


@pytest.fixture
def held_shop(starter_shop: Tenant) -> Tenant:
    _past_due(starter_shop, 9)
    dunning_advance()
    starter_shop.refresh_from_db()
    assert starter_shop.status == "suspended"
    return starter_shop


def test_a_held_business_can_read_but_not_write(
    held_shop: Tenant, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    owner = jwt_client(held_shop, held_shop.owner_email)

    assert owner.get(tenant_path("catalog:product-list")).status_code == 200
    refused = owner.post(
        tenant_path("catalog:product-list"),
        {"name": "Soda", "sku": "SODA", "price": "50.00"},
        content_type="application/json",
    )

    assert refused.status_code == 402
    error = refused.json()["error"]
    assert error["code"] == "subscription_suspended"
    assert "unpaid Duka invoice" in error["message"]
    with schema_context(held_shop.schema_name):
        assert not Product.objects.exists()


def test_a_held_business_can_still_sign_in(
    held_shop: Tenant, tenant_client: Callable[[Tenant], Client]
) -> None:
    response = login(tenant_client(held_shop), held_shop.owner_email)

    assert response.status_code == 200


def test_a_held_business_pages_refuse_a_write_with_the_reason(
    held_shop: Tenant, tenant_client: Callable[[Tenant], Client]
) -> None:
    client = tenant_client(held_shop)

    assert client.get(tenant_path("terminal:login")).status_code == 200
    refused = client.post(tenant_path("terminal:terminal-page"), {})

    assert refused.status_code == 402
    assert b"unpaid Duka invoice" in refused.content


def test_a_business_the_platform_suspended_stays_shut_out(
    starter_shop: Tenant, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    owner = jwt_client(starter_shop, starter_shop.owner_email)
    console_tenant_suspend(
        tenant=starter_shop, reason="Abuse report", actor_email="boss@duka.example"
    )

    response = owner.get(tenant_path("catalog:product-list"))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "tenant_suspended"
