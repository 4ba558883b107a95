"""The payments API: the till polls a payment, managers resolve, owners set provider accounts
whose secrets never come back out."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from django.test import Client, override_settings
from django_tenants.utils import schema_context
from moneyed import Money

from devtools.payments_sandbox import SANDBOX_CREDENTIALS
from shared_apps.tenants.models import Tenant
from tenant_apps.payments.models import Payment, ProviderAccount
from tenant_apps.payments.services.lifecycle import payment_create
from tests.payments.app_support import (
    PURPOSE,
    Recorder,
    load,
)
from tests.support.urls import tenant_path

CaptureOnCommit = Callable[..., Any]


@pytest.fixture
def as_role(
    shop: Tenant, member: Callable[..., Any], jwt_client: Callable[[Tenant, str], Client]
) -> Callable[[str], Client]:
    def make(role: str) -> Client:
        if role == "owner":
            return jwt_client(shop, shop.owner_email)
        return jwt_client(shop, member(shop, role).email)

    return make


def create(shop: Tenant, capture: CaptureOnCommit, payer: str = "0712345672") -> Payment:
    with schema_context(shop.schema_name), capture(execute=True):
        payment = payment_create(provider="mpesa", amount=Money(Decimal("150"), "KES"),
                                 payer=payer, purpose=PURPOSE, purpose_ref="S-1")  # fmt: skip
    return load(shop, payment)


def test_a_cashier_polls_and_asks_for_a_payment(
    shop: Tenant, as_role: Callable[[str], Client], recorder: Recorder,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    payment = create(shop, django_capture_on_commit_callbacks)
    cashier = as_role("cashier")
    path = tenant_path("payments:payment-detail", public_id=payment.public_id)

    polled = cashier.get(path)
    assert polled.status_code == 200
    body = polled.json()
    assert (body["id"], body["status"], body["amount"]) == (
        str(payment.public_id), "pending", {"amount": "150.00", "currency": "KES"}
    )  # fmt: skip
    assert "callback_token" not in body

    query = tenant_path("payments:payment-query", public_id=payment.public_id)
    assert cashier.post(query).json()["status"] == "pending"  # being processed
    assert cashier.post(query).json()["status"] == "succeeded"
    assert recorder.of(payment) == ["succeeded"]


def test_listing_filters_and_needs_sales_view(
    shop: Tenant, as_role: Callable[[str], Client], recorder: Recorder,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    first = create(shop, django_capture_on_commit_callbacks, payer="0712345671")
    create(shop, django_capture_on_commit_callbacks, payer="0712345672")

    manager = as_role("manager")
    payments = tenant_path("payments:payment-list")
    listed = manager.get(payments + "?status=failed&purpose=test&purpose_ref=S-1")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["results"]] == []
    listed = manager.get(payments + "?status=pending")
    assert len(listed.json()["results"]) == 2
    assert as_role("cashier").get(payments).status_code == 403
    assert first.status == "pending"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("purpose=%00", "purpose"),
        ("purpose=nonsense", "purpose"),
        ("purpose=" + "s" * 41, "purpose"),
        ("status=%00", "status"),
        ("status=paid", "status"),
        ("purpose_ref=%00", "purpose_ref"),
        ("purpose_ref=" + "r" * 65, "purpose_ref"),
    ],
)
def test_a_filter_that_is_not_a_known_value_is_a_400(
    shop: Tenant, as_role: Callable[[str], Client], recorder: Recorder, query: str, field: str,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    create(shop, django_capture_on_commit_callbacks)
    manager = as_role("manager")

    payments = tenant_path("payments:payment-list")
    response = manager.get(f"{payments}?{query}")

    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [field]
    assert len(manager.get(payments + "?purpose=sale").json()["results"]) == 0
    assert len(manager.get(payments + "?purpose=test").json()["results"]) == 1


@pytest.mark.parametrize("query", ["status=%00", "status=nonsense"])
def test_a_c2b_filter_that_is_not_a_status_is_a_400(
    shop: Tenant, as_role: Callable[[str], Client], query: str
) -> None:
    response = as_role("manager").get(tenant_path("payments:c2b-list") + f"?{query}")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["status"]


def test_only_a_manager_resolves(
    shop: Tenant, as_role: Callable[[str], Client], recorder: Recorder,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    with override_settings(PAYMENT_UNKNOWN_AFTER=0):
        payment = create(shop, django_capture_on_commit_callbacks, payer="0712345674")
    resolve = tenant_path("payments:payment-resolve", public_id=payment.public_id)
    manager = as_role("manager")
    manager.post(tenant_path("payments:payment-query", public_id=payment.public_id))
    decision = {"outcome": "failed", "note": "Customer shows no debit"}

    refused = as_role("cashier").post(resolve, decision, content_type="application/json")
    bad = manager.post(resolve, {"outcome": "maybe", "note": "x"},
                       content_type="application/json")  # fmt: skip
    assert (refused.status_code, bad.status_code) == (403, 400)
    assert load(shop, payment).status == "unknown"

    done = manager.post(resolve, decision, content_type="application/json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["resolution_note"]) == (
        "failed", "Customer shows no debit"
    )  # fmt: skip
    again = manager.post(resolve, decision, content_type="application/json")
    assert again.status_code == 409
    assert recorder.of(payment) == ["failed"]


def test_an_unknown_payment_id_is_404(as_role: Callable[[str], Client]) -> None:
    unknown = tenant_path("payments:payment-detail", public_id=UUID(int=0))
    response = as_role("cashier").get(unknown)
    assert response.status_code == 404


def test_provider_secrets_go_in_but_never_come_out(
    shop: Tenant, as_role: Callable[[str], Client]
) -> None:
    owner = as_role("owner")
    secret = "a-very-long-consumer-secret-9876"
    response = owner.put(
        tenant_path("payments:provider-detail", provider="mpesa"),
        {"base_url": "https://sandbox.safaricom.co.ke",
         "credentials": {"consumer_secret": secret, "passkey": ""}, "is_active": True},
        content_type="application/json",
    )  # fmt: skip

    assert response.status_code == 200
    body = response.json()
    assert secret not in response.content.decode()
    assert SANDBOX_CREDENTIALS["mpesa"]["consumer_key"] not in response.content.decode()
    assert body["credentials"]["consumer_secret"] == "…9876"
    assert "passkey" not in body["credentials"]  # sent empty: removed
    assert body["urls"]["c2b_confirmation_url"].endswith("/confirmation/")
    with schema_context(shop.schema_name):
        stored = ProviderAccount.objects.get(provider="mpesa").credentials
        assert stored["consumer_secret"] == secret
        # keys not sent are kept: the form never had them to send back
        assert stored["shortcode"] == SANDBOX_CREDENTIALS["mpesa"]["shortcode"]
    listed = owner.get(tenant_path("payments:provider-list"))
    assert secret not in listed.content.decode()
    assert owner.get(tenant_path("payments:provider-detail", provider="paypal")).status_code == 404


@pytest.mark.parametrize("role", ["manager", "cashier"])
def test_only_the_owner_sees_or_sets_provider_accounts(
    shop: Tenant, as_role: Callable[[str], Client], role: str
) -> None:
    client = as_role(role)
    assert client.get(tenant_path("payments:provider-detail", provider="mpesa")).status_code == 403
    response = client.put(tenant_path("payments:provider-detail", provider="mpesa"),
                          {"base_url": "https://evil.example", "credentials": {}},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 403
    with schema_context(shop.schema_name):
        assert ProviderAccount.objects.get(provider="mpesa").base_url != "https://evil.example"
