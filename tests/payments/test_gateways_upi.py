"""The UPI collect adapter (Razorpay style) against the sandbox, over real HTTP."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from devtools.payments_sandbox import Sandbox
from tenant_apps.payments.gateways.base import (
    CallbackRejected,
    Credentials,
    GatewayError,
    InitiateRequest,
    Outcome,
)
from tenant_apps.payments.gateways.upi import UpiGateway, webhook_signature


def upi_request(vpa: str = "shopper0@okbank", amount: str = "499.50") -> InitiateRequest:
    return InitiateRequest(
        reference="pay-u1",
        amount=Decimal(amount),
        currency="INR",
        callback_url="https://duka.test/payments/cb/token",
        payer=vpa,
        description="Duka sale",
    )


@pytest.fixture
def gateway() -> UpiGateway:
    return UpiGateway()


@pytest.fixture
def creds(sandbox: Sandbox) -> Credentials:
    sandbox.set_webhook_url("upi", "https://duka.test/payments/upi/webhook")
    return sandbox.credentials("upi")


def test_collect_creates_an_order_then_a_payment_in_paise(sandbox, gateway, creds):
    result = gateway.initiate(creds, upi_request())

    assert result.outcome is Outcome.PENDING and result.provider_reference.startswith("pay_")
    order = json.loads(sandbox.requests("/v1/orders")[0]["body"])
    payment = json.loads(sandbox.requests("/v1/payments/create/upi")[0]["body"])
    assert order["amount"] == payment["amount"] == 49950
    assert order["receipt"] == "pay-u1"
    assert payment["upi"] == {"flow": "collect", "vpa": "shopper0@okbank", "expiry_time": 5}
    assert payment["method"] == "upi" and payment["notes"] == {"reference": "pay-u1"}


def test_webhook_signature_is_checked_over_the_raw_bytes(sandbox, gateway, creds):
    gateway.initiate(creds, upi_request())
    [hook] = sandbox.callbacks("upi")
    raw = hook["body"].encode()

    result = gateway.parse_callback(creds, raw, hook["headers"])

    assert result.outcome is Outcome.SUCCEEDED
    assert (result.amount, result.currency) == (Decimal("499.50"), "INR")
    assert result.receipt == result.provider_reference
    # The same JSON, serialized differently, is not what was signed.
    compact = json.dumps(json.loads(raw), separators=(",", ":")).encode()
    assert compact != raw
    with pytest.raises(CallbackRejected):
        gateway.parse_callback(creds, compact, hook["headers"])


def test_a_tampered_body_or_wrong_secret_is_rejected(sandbox, gateway, creds):
    gateway.initiate(creds, upi_request(vpa="shopper1@okbank"))  # fails
    [hook] = sandbox.callbacks("upi")
    raw = hook["body"].encode()
    tampered = raw.replace(b'"payment.failed"', b'"payment.captured"')

    with pytest.raises(CallbackRejected):
        gateway.parse_callback(creds, tampered, hook["headers"])
    with pytest.raises(CallbackRejected):
        gateway.parse_callback(
            replace(creds, values={**creds.values, "webhook_secret": "x"}), raw, hook["headers"]
        )
    with pytest.raises(CallbackRejected):
        gateway.parse_callback(creds, raw, {})


def test_a_signed_event_that_is_not_a_payment_result_is_rejected(gateway, creds):
    body = b'{"event": "order.paid", "payload": {}}'
    headers = {"X-Razorpay-Signature": webhook_signature(creds.values["webhook_secret"], body)}
    with pytest.raises(CallbackRejected):
        gateway.parse_callback(creds, body, headers)


@pytest.mark.parametrize(
    ("vpa", "reason"),
    [
        ("shopper1@okbank", "payment_cancelled"),
        ("shopper3@okbank", "insufficient_funds"),
        ("shopper6@okbank", "incorrect_pin"),
        ("failure@razorpay", "payment_cancelled"),
    ],
)
def test_failures_arrive_as_payment_failed(sandbox, gateway, creds, vpa, reason):
    pushed = gateway.initiate(creds, upi_request(vpa=vpa))
    [hook] = sandbox.callbacks("upi")

    result = gateway.parse_callback(creds, hook["body"].encode(), hook["headers"])

    assert result.outcome is Outcome.FAILED
    assert json.loads(hook["body"])["payload"]["payment"]["entity"]["error_reason"] == reason
    assert gateway.query(creds, pushed.provider_reference, "pay-u1").outcome is Outcome.FAILED


def test_failed_then_captured(sandbox, gateway, creds):
    pushed = gateway.initiate(creds, upi_request(vpa="shopper5@okbank"))

    results = [
        gateway.parse_callback(creds, h["body"].encode(), h["headers"])
        for h in sandbox.callbacks("upi")
    ]

    assert [r.outcome for r in results] == [Outcome.FAILED, Outcome.SUCCEEDED]
    assert {r.provider_reference for r in results} == {pushed.provider_reference}
    assert gateway.query(creds, pushed.provider_reference, "p").outcome is Outcome.SUCCEEDED


def test_query_pending_then_captured(sandbox, gateway, creds):
    pushed = gateway.initiate(creds, upi_request(vpa="shopper2@okbank"))

    first = gateway.query(creds, pushed.provider_reference, "pay-u1")
    second = gateway.query(creds, pushed.provider_reference, "pay-u1")

    assert (first.outcome, first.code) == (Outcome.PENDING, "created")
    assert second.outcome is Outcome.SUCCEEDED
    [hook] = sandbox.callbacks("upi")  # the capture is announced when it happens
    assert json.loads(hook["body"])["event"] == "payment.captured"


def test_query_pending_forever(sandbox, gateway, creds):
    pushed = gateway.initiate(creds, upi_request(vpa="shopper4@okbank"))
    outcomes = {gateway.query(creds, pushed.provider_reference, "p").outcome for _ in range(3)}
    assert outcomes == {Outcome.PENDING}
    assert sandbox.callbacks() == []


def test_refund_in_paise(sandbox, gateway, creds):
    pushed = gateway.initiate(creds, upi_request())

    refund = gateway.refund(
        creds, receipt=pushed.provider_reference, amount=Decimal("100.25"), reference="rf-1"
    )

    assert (refund.outcome, refund.amount) == (Outcome.SUCCEEDED, Decimal("100.25"))
    sent = json.loads(
        sandbox.requests(f"/v1/payments/{pushed.provider_reference}/refund")[0]["body"]
    )
    assert sent["amount"] == 10025
    with pytest.raises(GatewayError) as caught:
        gateway.refund(
            creds, receipt=pushed.provider_reference, amount=Decimal("500"), reference="rf-2"
        )
    assert caught.value.code == "BAD_REQUEST_ERROR"


@pytest.mark.parametrize(("amount", "vpa"), [("1.005", "a@b"), ("0", "a@b"), ("10", "")])
def test_bad_amounts_and_missing_vpa_are_refused_locally(sandbox, gateway, creds, amount, vpa):
    with pytest.raises(GatewayError):
        gateway.initiate(creds, upi_request(vpa=vpa, amount=amount))
    assert sandbox.requests() == []


def test_wrong_key_secret(sandbox, gateway, creds):
    with pytest.raises(GatewayError) as caught:
        gateway.initiate(replace(creds, values={**creds.values, "key_secret": "x"}), upi_request())
    assert caught.value.code == "BAD_REQUEST_ERROR" and not caught.value.retryable
    assert sandbox.app.rzp_orders == {}


def test_a_silent_provider_is_a_retryable_timeout(silent_url):
    gateway = UpiGateway(timeout=0.3)
    creds = Credentials(base_url=silent_url, values={"key_id": "a", "key_secret": "b"})
    with pytest.raises(GatewayError) as caught:
        gateway.query(creds, "pay_1", "p")
    assert caught.value.retryable is True
