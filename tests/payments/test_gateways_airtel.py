"""The Airtel Money adapter against the sandbox, over real HTTP."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
import pytest

from devtools.payments_sandbox import Sandbox
from tenant_apps.payments.gateways.airtel import AirtelGateway, callback_hash, local_msisdn
from tenant_apps.payments.gateways.base import (
    CallbackRejected,
    Credentials,
    GatewayError,
    InitiateRequest,
    Outcome,
)

COLLECT = "/merchant/v1/payments/"
TOKEN = "/auth/oauth2/token"


def collect(reference: str = "pay-a1", payer: str = "254733123450") -> InitiateRequest:
    return InitiateRequest(
        reference=reference,
        amount=Decimal("500"),
        currency="KES",
        callback_url="https://duka.test/payments/cb/token",
        payer=payer,
        description="Duka sale",
    )


def with_values(creds: Credentials, **values: str) -> Credentials:
    return replace(creds, values={**creds.values, **values})


@pytest.fixture
def gateway() -> AirtelGateway:
    return AirtelGateway()


@pytest.fixture
def creds(sandbox: Sandbox) -> Credentials:
    sandbox.set_webhook_url("airtel", "https://duka.test/payments/airtel/callback")
    return sandbox.credentials("airtel")


def only_callback(sandbox: Sandbox) -> dict[str, Any]:
    [callback] = sandbox.callbacks("airtel")
    return callback


def test_collection_sends_local_msisdn_and_country_headers_with_one_token(sandbox, gateway, creds):
    first = gateway.initiate(creds, collect())
    gateway.initiate(creds, collect(reference="pay-a2"))

    assert first.outcome is Outcome.PENDING
    assert (first.provider_reference, first.code) == ("pay-a1", "DP00800001006")
    assert len(sandbox.requests(TOKEN)) == 1
    sent = sandbox.requests(COLLECT)[0]
    body = json.loads(sent["body"])
    assert body["subscriber"]["msisdn"] == "733123450"
    assert body["transaction"] == {
        "amount": 500,
        "country": "KE",
        "currency": "KES",
        "id": "pay-a1",
    }
    assert (sent["headers"]["x-country"], sent["headers"]["x-currency"]) == ("KE", "KES")


def test_the_sandbox_refuses_a_number_with_its_country_code(sandbox, creds, gateway):
    token = httpx.post(
        f"{sandbox.url}{TOKEN}",
        json={
            "client_id": creds.values["client_id"],
            "client_secret": creds.values["client_secret"],
            "grant_type": "client_credentials",
        },
    ).json()["access_token"]
    answer = httpx.post(
        f"{sandbox.url}{COLLECT}",
        headers={"Authorization": f"Bearer {token}", "X-Country": "KE", "X-Currency": "KES"},
        json={
            "reference": "x",
            "subscriber": {"country": "KE", "currency": "KES", "msisdn": "254733123450"},
            "transaction": {"amount": 1, "country": "KE", "currency": "KES", "id": "t"},
        },
    )
    assert answer.status_code == 400 and answer.json()["status"]["success"] is False
    assert sandbox.app.airtel == {}


@pytest.mark.parametrize(
    ("payer", "country_code", "expected"),
    [
        ("254733123450", "254", "733123450"),
        ("+254 733 123 450", "254", "733123450"),
        ("0733123450", "254", "733123450"),
        ("256701234567", "256", "701234567"),
    ],
)
def test_local_msisdn(payer, country_code, expected):
    assert local_msisdn(payer, country_code) == expected


@pytest.mark.parametrize(
    ("digit", "outcome", "code"),
    [
        ("0", Outcome.SUCCEEDED, "TS"),
        ("1", Outcome.FAILED, "TF"),
        ("3", Outcome.FAILED, "TF"),
        ("6", Outcome.FAILED, "TF"),
    ],
)
def test_signed_callbacks_map_status_codes(sandbox, gateway, creds, digit, outcome, code):
    gateway.initiate(creds, collect(payer="25473312345" + digit))

    callback = only_callback(sandbox)
    parsed = gateway.parse_callback(creds, callback["body"].encode(), callback["headers"])

    assert callback["url"] == "https://duka.test/payments/airtel/callback"
    assert (parsed.outcome, parsed.code, parsed.provider_reference) == (outcome, code, "pay-a1")
    assert bool(parsed.receipt) is (outcome is Outcome.SUCCEEDED)
    # Only the signed callback was needed: no enquiry went out.
    assert not [r for r in sandbox.requests() if r["path"].startswith("/standard/")]


def test_hash_is_base64_hmac_of_the_compact_transaction(sandbox, gateway, creds):
    gateway.initiate(creds, collect())
    payload = json.loads(only_callback(sandbox)["body"])

    assert payload["hash"] == callback_hash(creds.values["callback_secret"], payload["transaction"])


def test_a_tampered_callback_is_rejected(sandbox, gateway, creds):
    gateway.initiate(creds, collect(payer="254733123451"))  # a failure
    payload = json.loads(only_callback(sandbox)["body"])
    payload["transaction"]["status_code"] = "TS"

    with pytest.raises(CallbackRejected):
        gateway.parse_callback(creds, json.dumps(payload).encode(), {})


def test_a_callback_under_another_secret_or_without_hash_is_rejected(sandbox, gateway, creds):
    gateway.initiate(creds, collect())
    body = only_callback(sandbox)["body"].encode()
    unsigned = json.loads(body)
    del unsigned["hash"]

    with pytest.raises(CallbackRejected):
        gateway.parse_callback(with_values(creds, callback_secret="other"), body, {})
    with pytest.raises(CallbackRejected):
        gateway.parse_callback(creds, json.dumps(unsigned).encode(), {})


def test_without_a_secret_the_callback_is_confirmed_by_enquiry(sandbox, gateway, creds):
    gateway.initiate(creds, collect(payer="254733123451"))  # the payer cancels
    forged = {
        "transaction": {
            "id": "pay-a1",
            "message": "ok",
            "status_code": "TS",
            "airtel_money_id": "MP000",
        }
    }

    parsed = gateway.parse_callback(
        with_values(creds, callback_secret=""), json.dumps(forged).encode(), {}
    )

    assert (parsed.outcome, parsed.code) == (Outcome.FAILED, "TF")
    assert len(sandbox.requests("/standard/v1/payments/pay-a1")) == 1


@pytest.mark.parametrize("body", [b"x", b"{}", b'{"transaction": {"id": ""}}'])
def test_malformed_callbacks_are_rejected(gateway, creds, body):
    with pytest.raises(CallbackRejected):
        gateway.parse_callback(creds, body, {})


@pytest.mark.parametrize(
    ("digit", "answers"),
    [
        ("2", [(Outcome.PENDING, "TIP"), (Outcome.SUCCEEDED, "TS")]),
        ("4", [(Outcome.PENDING, "TIP"), (Outcome.PENDING, "TIP")]),
        ("5", [(Outcome.UNKNOWN, "TA"), (Outcome.SUCCEEDED, "TS")]),
        ("1", [(Outcome.FAILED, "TF")]),
    ],
)
def test_enquiry_status_mapping(sandbox, gateway, creds, digit, answers):
    gateway.initiate(creds, collect(payer="25473312345" + digit))

    got = [gateway.query(creds, "pay-a1", "pay-a1") for _ in answers]

    assert [(r.outcome, r.code) for r in got] == answers
    if digit in "245":
        assert sandbox.callbacks() == []


def test_refund_of_a_paid_collection(sandbox, gateway, creds):
    gateway.initiate(creds, collect())
    receipt = gateway.parse_callback(creds, only_callback(sandbox)["body"].encode(), {}).receipt

    refund = gateway.refund(creds, receipt=receipt, amount=Decimal("500"), reference="rf-1")

    assert (refund.outcome, refund.receipt) == (Outcome.SUCCEEDED, receipt)
    with pytest.raises(GatewayError):
        gateway.refund(creds, receipt=receipt, amount=Decimal("500"), reference="rf-2")


def test_wrong_client_secret(sandbox, gateway, creds):
    with pytest.raises(GatewayError) as caught:
        gateway.initiate(with_values(creds, client_secret="nope"), collect())
    assert caught.value.code == "invalid_client" and not caught.value.retryable
    assert sandbox.requests(COLLECT) == []


def test_duplicate_transaction_id_is_refused(sandbox, gateway, creds):
    gateway.initiate(creds, collect())
    with pytest.raises(GatewayError):
        gateway.initiate(creds, collect())
    assert len(sandbox.callbacks("airtel")) == 1


def test_fractional_amounts_are_refused(sandbox, gateway, creds):
    with pytest.raises(GatewayError) as caught:
        gateway.initiate(creds, replace(collect(), amount=Decimal("10.5")))
    assert caught.value.code == "fractional_amount"
    assert sandbox.requests() == []


def test_a_silent_provider_is_a_retryable_timeout(silent_url):
    gateway = AirtelGateway(timeout=0.3)
    creds = Credentials(
        base_url=silent_url,
        values={
            "client_id": "a",
            "client_secret": "b",
            "country": "KE",
            "currency": "KES",
        },
    )
    with pytest.raises(GatewayError) as caught:
        gateway.query(creds, "pay-a1", "pay-a1")
    assert caught.value.retryable is True
