"""Airtel, card and UPI results arrive signed at the business's one webhook URL per provider:
genuine ones settle the payment, anything whose signature does not verify changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from moneyed import Money

from devtools.payments_sandbox import Sandbox
from shared_apps.tenants.models import Tenant
from tenant_apps.payments.models import Payment
from tenant_apps.payments.services.lifecycle import payment_create
from tests.payments.app_support import (
    PURPOSE,
    Recorder,
    callback_log,
    deliver,
    install_accounts,
    load,
    post_raw,
)
from tests.support.urls import tenant_path

CaptureOnCommit = Callable[..., Any]


@pytest.fixture
def rupee_shop(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant(country="IN", currency="INR", time_zone="Asia/Kolkata")


def webhook_path(tenant: Tenant, sandbox: Sandbox, provider: str) -> str:
    accounts = install_accounts(tenant, sandbox)
    return tenant_path("payments:provider-webhook", token=accounts[provider].c2b_token)


def create(
    tenant: Tenant, provider: str, payer: str, amount: str, capture: CaptureOnCommit
) -> Payment:
    with schema_context(tenant.schema_name), capture(execute=True):
        payment = payment_create(
            provider=provider, amount=Money(Decimal(amount), tenant.currency), payer=payer,
            purpose=PURPOSE, purpose_ref="W-1",
        )  # fmt: skip
    return load(tenant, payment)


def only(records: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(records) == 1, records
    return records[0]


def tampered_amount(record: dict[str, Any], path: list[str]) -> dict[str, Any]:
    data = json.loads(record["body"])
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = "1" if isinstance(target[path[-1]], str) else 1
    return {**record, "body": json.dumps(data)}


# --- Airtel -------------------------------------------------------------------------------------


def test_a_signed_airtel_result_settles_the_payment(
    business: Tenant, sandbox: Sandbox, recorder: Recorder,
    tenant_client: Callable[[Tenant], Client], django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    path = webhook_path(business, sandbox, "airtel")
    payment = create(business, "airtel", "0733123450", "200", django_capture_on_commit_callbacks)
    assert payment.status == "pending"

    response = deliver(tenant_client(business), only(sandbox.callbacks("airtel")), path)

    assert response.status_code == 200
    settled = load(business, payment)
    assert settled.status == "succeeded"
    assert settled.receipt
    assert recorder.of(payment) == ["succeeded"]


@pytest.mark.parametrize("tamper", ["hash", "status", "unsigned"])
def test_an_airtel_result_with_a_bad_hash_is_400_and_changes_nothing(
    business: Tenant, sandbox: Sandbox, recorder: Recorder,
    tenant_client: Callable[[Tenant], Client], django_capture_on_commit_callbacks: CaptureOnCommit,
    tamper: str,
) -> None:  # fmt: skip
    path = webhook_path(business, sandbox, "airtel")
    payment = create(business, "airtel", "0733123451", "200", django_capture_on_commit_callbacks)
    data = json.loads(only(sandbox.callbacks("airtel"))["body"])  # a genuine "refused"
    if tamper == "hash":
        data["hash"] = data["hash"][:-4] + "AAA="
    elif tamper == "status":  # the payer's refusal, rewritten as a success
        data["transaction"]["status_code"] = "TS"
    else:
        data.pop("hash")

    response = post_raw(tenant_client(business), path, json.dumps(data), {})

    assert response.status_code == 400
    assert load(business, payment).status == "pending"
    assert recorder.calls == []
    assert callback_log(business) == [("stk", "rejected")]


# --- card (Flutterwave style) -------------------------------------------------------------------


def test_a_card_webhook_with_the_right_hash_settles_after_verifying(
    business: Tenant, sandbox: Sandbox, recorder: Recorder,
    tenant_client: Callable[[Tenant], Client], django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    path = webhook_path(business, sandbox, "card")
    payment = create(
        business, "card", "buyer@example.com", "500", django_capture_on_commit_callbacks
    )
    assert payment.redirect_url  # the hosted page the till shows
    sandbox.pay_card(payment.public_id.hex)

    response = deliver(tenant_client(business), only(sandbox.callbacks("card")), path)

    assert response.status_code == 200
    assert load(business, payment).status == "succeeded"
    assert recorder.of(payment) == ["succeeded"]


@pytest.mark.parametrize("header", ["wrong", "missing"])
def test_a_card_webhook_with_a_bad_hash_is_400_and_changes_nothing(
    business: Tenant, sandbox: Sandbox, recorder: Recorder,
    tenant_client: Callable[[Tenant], Client], django_capture_on_commit_callbacks: CaptureOnCommit,
    header: str,
) -> None:  # fmt: skip
    path = webhook_path(business, sandbox, "card")
    payment = create(
        business, "card", "buyer@example.com", "500", django_capture_on_commit_callbacks
    )
    sandbox.pay_card(payment.public_id.hex)
    record = only(sandbox.callbacks("card"))
    headers = {"verif-hash": "guessed"} if header == "wrong" else {}

    response = post_raw(tenant_client(business), path, record["body"], headers)

    assert response.status_code == 400
    assert load(business, payment).status == "pending"
    assert recorder.calls == []


# --- UPI (Razorpay style) -----------------------------------------------------------------------


def test_a_upi_webhook_signed_over_the_raw_body_settles_the_payment(
    rupee_shop: Tenant, sandbox: Sandbox, recorder: Recorder,
    tenant_client: Callable[[Tenant], Client], django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    path = webhook_path(rupee_shop, sandbox, "upi")
    payment = create(rupee_shop, "upi", "asha@okbank", "99.50", django_capture_on_commit_callbacks)
    assert payment.provider_reference.startswith("pay_")

    response = deliver(tenant_client(rupee_shop), only(sandbox.callbacks("upi")), path)

    assert response.status_code == 200
    assert load(rupee_shop, payment).status == "succeeded"
    assert recorder.of(payment) == ["succeeded"]


@pytest.mark.parametrize("tamper", ["signature", "body"])
def test_a_upi_webhook_that_does_not_verify_is_400_and_changes_nothing(
    rupee_shop: Tenant, sandbox: Sandbox, recorder: Recorder,
    tenant_client: Callable[[Tenant], Client], django_capture_on_commit_callbacks: CaptureOnCommit,
    tamper: str,
) -> None:  # fmt: skip
    path = webhook_path(rupee_shop, sandbox, "upi")
    payment = create(rupee_shop, "upi", "asha@okbank", "99.50", django_capture_on_commit_callbacks)
    record = only(sandbox.callbacks("upi"))
    if tamper == "signature":
        record = {**record, "headers": {**record["headers"], "X-Razorpay-Signature": "0" * 64}}
    else:  # the same JSON re-serialised: a different byte string, so a different signature
        record = {**record, "body": json.dumps(json.loads(record["body"]), indent=1)}

    response = deliver(tenant_client(rupee_shop), record, path)

    assert response.status_code == 400
    assert load(rupee_shop, payment).status == "pending"
    assert recorder.calls == []


def test_a_bad_upi_address_is_refused(rupee_shop: Tenant, sandbox: Sandbox) -> None:
    from saas_platform.errors import ValidationFailed

    install_accounts(rupee_shop, sandbox)
    with schema_context(rupee_shop.schema_name):
        with pytest.raises(ValidationFailed) as caught:
            payment_create(provider="upi", amount=Money(10, "INR"), payer="not a vpa",
                           purpose=PURPOSE, purpose_ref="W-2")  # fmt: skip
        assert caught.value.fields["payer"][0]["code"] == "invalid_vpa"
        assert Payment.objects.count() == 0


def test_an_unknown_webhook_token_is_404(
    business: Tenant, sandbox: Sandbox, tenant_client: Callable[[Tenant], Client]
) -> None:
    install_accounts(business, sandbox)
    provider_webhook_path = tenant_path("payments:provider-webhook", token="nope")
    response = post_raw(tenant_client(business), provider_webhook_path, "{}", {})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
