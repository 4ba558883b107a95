"""The Daraja adapter's B2C payout (partial refunds) against the sandbox, over real HTTP."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
import pytest

from devtools.payments_sandbox import Sandbox
from tenant_apps.payments.gateways.base import CallbackRejected, Credentials, GatewayError, Outcome
from tenant_apps.payments.gateways.mpesa import DarajaGateway

B2C_V1 = "/mpesa/b2c/v1/paymentrequest"
B2C_V3 = "/mpesa/b2c/v3/paymentrequest"
RESULT_URL = "https://duka.test/api/v1/payments/refund-callbacks/unguessable/"
PHONE = "254712345670"


def with_values(creds: Credentials, **values: str) -> Credentials:
    return replace(creds, values={**creds.values, **values})


def sent_body(sandbox: Sandbox, path: str = B2C_V1) -> dict[str, Any]:
    [request] = sandbox.requests(path)
    body: dict[str, Any] = json.loads(request["body"])
    return body


@pytest.fixture
def gateway() -> DarajaGateway:
    return DarajaGateway()


@pytest.fixture
def creds(sandbox: Sandbox) -> Credentials:
    return sandbox.credentials("mpesa")


def payout(gateway: DarajaGateway, creds: Credentials, amount: str = "100", **kw: Any) -> Any:
    values: dict[str, Any] = {"phone": PHONE, "reference": "rf-1", "result_url": RESULT_URL}
    values.update(kw)
    return gateway.payout(creds, amount=Decimal(amount), **values)


def test_a_payout_sends_b2c_with_an_rsa_credential_and_reports_by_result(
    sandbox: Sandbox, gateway: DarajaGateway, creds: Credentials
) -> None:
    accepted = payout(gateway, creds)

    assert accepted.outcome is Outcome.PENDING
    assert accepted.provider_reference.startswith("AG_")
    assert (accepted.amount, accepted.payer) == (Decimal(100), PHONE)
    sent = sent_body(sandbox)
    assert sandbox.decrypt_credential(sent.pop("SecurityCredential")) == "Safaricom999!*!"
    assert sent == {
        "InitiatorName": "testapi",
        "CommandID": "BusinessPayment",
        "Amount": 100,
        "PartyA": "600996",
        "PartyB": PHONE,
        "Remarks": "Refund rf-1",
        "QueueTimeOutURL": RESULT_URL,
        "ResultURL": RESULT_URL,
        "Occasion": "rf-1",
    }
    [result] = sandbox.callbacks("mpesa", "b2c_result")
    assert result["url"] == RESULT_URL
    parsed = DarajaGateway.parse_result(result["body"].encode())
    assert (parsed.outcome, parsed.code) == (Outcome.SUCCEEDED, "0")
    assert parsed.provider_reference == accepted.provider_reference
    assert parsed.receipt.startswith("SBC") and parsed.amount == Decimal(100)
    assert parsed.payer.startswith(PHONE)
    assert sandbox.b2c_balance == Decimal(1_000_000 - 100)


def test_v3_sends_our_reference_as_originator_conversation_id(
    sandbox: Sandbox, gateway: DarajaGateway, creds: Credentials
) -> None:
    creds = with_values(creds, b2c_version="v3", b2c_command_id="PromotionPayment")

    accepted = payout(gateway, creds, reference="rf-3", timeout_url="https://duka.test/timeout")

    sent = sent_body(sandbox, B2C_V3)
    assert (sent["OriginatorConversationID"], sent["CommandID"]) == ("rf-3", "PromotionPayment")
    assert sent["QueueTimeOutURL"] == "https://duka.test/timeout"
    assert sandbox.requests(B2C_V1) == []
    [result] = sandbox.callbacks("mpesa", "b2c_result")
    assert json.loads(result["body"])["Result"]["OriginatorConversationID"] == "rf-3"
    assert DarajaGateway.parse_result(result["body"].encode()).provider_reference == (
        accepted.provider_reference
    )


def test_a_wrong_initiator_password_fails_in_the_result_and_pays_nothing(
    sandbox: Sandbox, gateway: DarajaGateway, creds: Credentials
) -> None:
    payout(gateway, with_values(creds, initiator_password="guess"))

    [result] = sandbox.callbacks("mpesa", "b2c_result")
    parsed = DarajaGateway.parse_result(result["body"].encode())
    assert (parsed.outcome, parsed.code, parsed.amount) == (Outcome.FAILED, "2001", None)
    assert sandbox.b2c_balance == Decimal(1_000_000)


def test_the_b2c_shortcode_may_have_its_own_initiator(
    sandbox: Sandbox, gateway: DarajaGateway, creds: Credentials
) -> None:
    creds = with_values(
        creds, initiator_password="reversal-only", b2c_initiator_name="b2c-api",
        b2c_initiator_password="b2c-secret",
    )  # fmt: skip

    payout(gateway, creds)

    sent = sent_body(sandbox)
    assert sent["InitiatorName"] == "b2c-api"
    assert sandbox.decrypt_credential(sent["SecurityCredential"]) == "b2c-secret"
    # the sandbox knows only testapi: Daraja would answer 2001 the same way
    [result] = sandbox.callbacks("mpesa", "b2c_result")
    assert DarajaGateway.parse_result(result["body"].encode()).code == "2001"


def test_an_insufficient_b2c_balance_fails_in_the_result(
    sandbox: Sandbox, gateway: DarajaGateway, creds: Credentials
) -> None:
    sandbox.set_b2c_balance(Decimal(50))

    payout(gateway, creds, "100")
    payout(gateway, creds, "50", reference="rf-2")

    first, second = (
        DarajaGateway.parse_result(r["body"].encode())
        for r in sandbox.callbacks("mpesa", "b2c_result")
    )
    assert (first.outcome, first.code) == (Outcome.FAILED, "1")
    assert "insufficient" in first.message
    assert (second.outcome, second.amount) == (Outcome.SUCCEEDED, Decimal(50))
    assert sandbox.b2c_balance == Decimal(0)


@pytest.mark.parametrize(
    ("amount", "values", "phone", "code"),
    [
        ("100.50", {}, PHONE, "fractional_amount"),
        ("100", {"b2c_shortcode": ""}, PHONE, "missing_credential"),
        ("100", {"initiator_name": ""}, PHONE, "missing_credential"),
        ("100", {}, "0712345670", "invalid_phone"),
        ("100", {"b2c_command_id": "TransactionReversal"}, PHONE, "bad_credential"),
        ("100", {"b2c_version": "v2"}, PHONE, "bad_credential"),
    ],
)
def test_a_payout_that_cannot_be_right_is_never_sent(
    sandbox: Sandbox, gateway: DarajaGateway, creds: Credentials,
    amount: str, values: dict[str, str], phone: str, code: str,
) -> None:  # fmt: skip
    with pytest.raises(GatewayError) as caught:
        payout(gateway, with_values(creds, **values), amount, phone=phone)

    assert caught.value.code == code and not caught.value.retryable
    assert sandbox.requests() == []
    assert sandbox.b2c_balance == Decimal(1_000_000)


def test_a_payout_from_another_shortcode_is_refused_at_once(
    sandbox: Sandbox, gateway: DarajaGateway, creds: Credentials
) -> None:
    with pytest.raises(GatewayError) as caught:
        payout(gateway, with_values(creds, b2c_shortcode="600000"))

    assert caught.value.code == "400.002.02" and not caught.value.retryable
    assert sandbox.callbacks("mpesa", "b2c_result") == []


def test_an_empty_result_url_is_refused(gateway: DarajaGateway, creds: Credentials) -> None:
    with pytest.raises(GatewayError) as caught:
        payout(gateway, creds, result_url="")
    assert caught.value.code == "missing_result_url"


def _token(sandbox: Sandbox) -> str:
    values = sandbox.credentials("mpesa").values
    answer = httpx.get(
        f"{sandbox.url}/oauth/v1/generate",
        params={"grant_type": "client_credentials"},
        auth=(values["consumer_key"], values["consumer_secret"]),
    )
    token: str = answer.json()["access_token"]
    return token


@pytest.mark.parametrize(
    ("path", "change", "field"),
    [
        (B2C_V1, {"Amount": "10.5"}, "Amount"),
        (B2C_V1, {"CommandID": "TransactionReversal"}, "CommandID"),
        (B2C_V1, {"PartyB": "0712345670"}, "PartyB"),
        (B2C_V1, {"ResultURL": "not a url"}, "ResultURL"),
        (B2C_V3, {}, "OriginatorConversationID"),
    ],
)
def test_the_sandbox_refuses_malformed_b2c_requests(
    sandbox: Sandbox, path: str, change: dict[str, str], field: str
) -> None:
    body = {
        "InitiatorName": "testapi",
        "SecurityCredential": "x",
        "CommandID": "BusinessPayment",
        "Amount": 10,
        "PartyA": "600996",
        "PartyB": PHONE,
        "Remarks": "Refund",
        "QueueTimeOutURL": RESULT_URL,
        "ResultURL": RESULT_URL,
        "Occasion": "",
        **change,
    }
    answer = httpx.post(
        f"{sandbox.url}{path}", json=body, headers={"Authorization": f"Bearer {_token(sandbox)}"}
    )

    assert answer.status_code == 400
    assert answer.json()["errorMessage"] == f"Bad Request - Invalid {field}"
    assert sandbox.callbacks() == []


def test_b2c_needs_a_live_token(sandbox: Sandbox) -> None:
    answer = httpx.post(f"{sandbox.url}{B2C_V1}", json={}, headers={"Authorization": "Bearer x"})
    assert (answer.status_code, answer.json()["errorCode"]) == (404, "404.001.03")


def test_results_with_one_parameter_or_none_are_read() -> None:
    lone = {
        "Result": {
            "ResultCode": 0,
            "ConversationID": "AG_1",
            "TransactionID": "SBC1",
            "ResultParameters": {"ResultParameter": {"Key": "TransactionAmount", "Value": 40}},
        }
    }
    failed = {"Result": {"ResultCode": 2001, "ResultDesc": "bad", "ConversationID": "AG_2"}}

    ok = DarajaGateway.parse_result(json.dumps(lone).encode())
    no = DarajaGateway.parse_result(json.dumps(failed).encode())

    assert (ok.outcome, ok.amount, ok.receipt) == (Outcome.SUCCEEDED, Decimal(40), "SBC1")
    assert (no.outcome, no.amount, no.receipt) == (Outcome.FAILED, None, "")


@pytest.mark.parametrize(
    "body", [b'{"Result": {"ConversationID": "AG_1"}}', b'{"Result": {"ResultCode": 0}}', b"[]"]
)
def test_malformed_b2c_results_are_rejected(body: bytes) -> None:
    with pytest.raises(CallbackRejected):
        DarajaGateway.parse_result(body)
