"""The hosted card adapter (Flutterwave v3 style) against the sandbox, over real HTTP."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
import pytest

from devtools.payments_sandbox import Sandbox
from tenant_apps.payments.gateways.base import (
    CallbackRejected,
    Credentials,
    GatewayError,
    InitiateRequest,
    Outcome,
)
from tenant_apps.payments.gateways.card import HostedCardGateway


def card_request(reference: str = "pay-c1", amount: str = "1250.50") -> InitiateRequest:
    return InitiateRequest(
        reference=reference,
        amount=Decimal(amount),
        currency="KES",
        callback_url="https://duka.test/payments/return/token",
        payer="254712345678",
        description="Duka sale",
    )


@pytest.fixture
def gateway() -> HostedCardGateway:
    return HostedCardGateway()


@pytest.fixture
def creds(sandbox: Sandbox) -> Credentials:
    sandbox.set_webhook_url("card", "https://duka.test/payments/card/webhook")
    return sandbox.credentials("card")


def webhook(sandbox: Sandbox) -> dict[str, Any]:
    [callback] = sandbox.callbacks("card")
    return callback


def test_initiate_returns_the_hosted_link(sandbox, gateway, creds):
    result = gateway.initiate(creds, card_request())

    assert result.outcome is Outcome.PENDING
    assert result.provider_reference == "pay-c1"
    assert result.redirect_url == f"{sandbox.url}/__sandbox__/card/checkout/pay-c1"
    sent = sandbox.requests("/v3/payments")[0]
    assert sent["headers"]["authorization"] == f"Bearer {creds.values['secret_key']}"
    body = json.loads(sent["body"])
    assert body["amount"] == "1250.50" and body["currency"] == "KES"
    assert body["redirect_url"] == "https://duka.test/payments/return/token"
    assert body["customer"]["email"] == "sandbox@duka.test"


def test_before_payment_the_query_is_pending(sandbox, gateway, creds):
    gateway.initiate(creds, card_request())

    result = gateway.query(creds, "pay-c1", "pay-c1")

    assert (result.outcome, result.code) == (Outcome.PENDING, "not_found")


def test_a_genuine_webhook_is_verified_with_the_gateway(sandbox, gateway, creds):
    gateway.initiate(creds, card_request())
    paid = sandbox.pay_card("pay-c1", "success")
    hook = webhook(sandbox)

    result = gateway.parse_callback(creds, hook["body"].encode(), hook["headers"])

    assert result.outcome is Outcome.SUCCEEDED
    assert result.receipt == str(paid["transaction_id"])
    assert (result.amount, result.currency) == (Decimal("1250.5"), "KES")
    assert result.provider_reference == "pay-c1"
    assert len(sandbox.requests(f"/v3/transactions/{paid['transaction_id']}/verify")) == 1


def test_a_wrong_verif_hash_is_rejected_without_asking_the_gateway(sandbox, gateway, creds):
    gateway.initiate(creds, card_request())
    sandbox.pay_card("pay-c1", "success")
    hook = webhook(sandbox)

    with pytest.raises(CallbackRejected):
        gateway.parse_callback(creds, hook["body"].encode(), {"verif-hash": "guess"})
    with pytest.raises(CallbackRejected):
        gateway.parse_callback(creds, hook["body"].encode(), {})
    assert not [r for r in sandbox.requests() if r["path"].endswith("/verify")]


def test_the_webhook_body_is_not_believed(sandbox, gateway, creds):
    gateway.initiate(creds, card_request())
    sandbox.pay_card("pay-c1", "fail")
    hook = webhook(sandbox)
    forged = json.loads(hook["body"])
    forged["data"]["status"] = "successful"

    result = gateway.parse_callback(creds, json.dumps(forged).encode(), hook["headers"])

    assert result.outcome is Outcome.FAILED and result.code == "failed"


def test_a_webhook_naming_another_payments_transaction_fails(sandbox, gateway, creds):
    gateway.initiate(creds, card_request("pay-c1"))
    gateway.initiate(creds, card_request("pay-c2"))
    sandbox.pay_card("pay-c1", "success")
    sandbox.pay_card("pay-c2", "success")
    hooks = sandbox.callbacks("card")
    spliced = json.loads(hooks[1]["body"])
    spliced["data"]["tx_ref"] = "pay-c1"  # pay-c2's transaction offered as pay-c1's

    result = gateway.parse_callback(creds, json.dumps(spliced).encode(), hooks[1]["headers"])

    assert (result.outcome, result.code) == (Outcome.FAILED, "tx_ref_mismatch")


@pytest.mark.parametrize(
    ("paid_amount", "paid_currency", "outcome", "code"),
    [
        (None, None, Outcome.SUCCEEDED, "successful"),
        (Decimal("1000"), None, Outcome.FAILED, "amount_mismatch"),
        (None, "USD", Outcome.FAILED, "currency_mismatch"),
    ],
)
def test_verify_checks_amount_and_currency(
    sandbox, gateway, creds, paid_amount, paid_currency, outcome, code
):
    gateway.initiate(creds, card_request())
    paid = sandbox.pay_card("pay-c1", "success", amount=paid_amount, currency=paid_currency)

    result = gateway.verify(
        creds,
        tx_ref="pay-c1",
        transaction_id=str(paid["transaction_id"]),
        amount=Decimal("1250.50"),
        currency="KES",
    )

    assert (result.outcome, result.code) == (outcome, code)


def test_query_reports_verified_amount_and_currency(sandbox, gateway, creds):
    gateway.initiate(creds, card_request())
    sandbox.pay_card("pay-c1", "success", amount=Decimal("1"))

    result = gateway.query(creds, "pay-c1", "pay-c1")

    # Without an expectation the adapter reports; the caller compares with what it asked.
    assert result.outcome is Outcome.SUCCEEDED
    assert (result.amount, result.currency) == (Decimal("1"), "KES")


def test_the_hosted_page_completes_and_redirects(sandbox, gateway, creds):
    result = gateway.initiate(creds, card_request())

    page = httpx.get(result.redirect_url)
    done = httpx.post(result.redirect_url, data={"result": "fail"})

    assert page.status_code == 200 and "pay-c1" in page.text
    assert done.status_code == 302
    assert done.headers["location"].startswith("https://duka.test/payments/return/token?")
    assert "status=failed" in done.headers["location"]
    assert gateway.query(creds, "pay-c1", "pay-c1").outcome is Outcome.FAILED


def test_card_pay_control_endpoint(sandbox, gateway, creds):
    gateway.initiate(creds, card_request())

    answer = httpx.post(
        f"{sandbox.url}/__sandbox__/card/pay", json={"tx_ref": "pay-c1", "result": "success"}
    )

    assert answer.status_code == 200 and answer.json()["status"] == "successful"
    assert gateway.query(creds, "pay-c1", "pay-c1").outcome is Outcome.SUCCEEDED


def test_refund(sandbox, gateway, creds):
    gateway.initiate(creds, card_request())
    paid = sandbox.pay_card("pay-c1", "success")
    receipt = str(paid["transaction_id"])

    refund = gateway.refund(creds, receipt=receipt, amount=Decimal("250.50"), reference="rf")

    assert (refund.outcome, refund.amount) == (Outcome.SUCCEEDED, Decimal("250.5"))
    with pytest.raises(GatewayError):
        gateway.refund(creds, receipt=receipt, amount=Decimal("1001"), reference="rf2")


def test_wrong_secret_key(sandbox, gateway, creds):
    with pytest.raises(GatewayError) as caught:
        gateway.initiate(replace(creds, values={**creds.values, "secret_key": "x"}), card_request())
    assert caught.value.code == "http_401"
    assert sandbox.app.card == {}


def test_a_silent_provider_is_a_retryable_timeout(silent_url):
    gateway = HostedCardGateway(timeout=0.3)
    creds = Credentials(base_url=silent_url, values={"secret_key": "k"})
    with pytest.raises(GatewayError) as caught:
        gateway.initiate(creds, card_request())
    assert caught.value.retryable is True
