"""The Daraja adapter against the sandbox, over real HTTP."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from devtools.payments_sandbox import Sandbox
from tenant_apps.payments.gateways.base import (
    CallbackRejected,
    Credentials,
    GatewayError,
    Outcome,
)
from tenant_apps.payments.gateways.mpesa import NAIROBI, DarajaGateway
from tests.payments.app_support import push_request

PUSH = "/mpesa/stkpush/v1/processrequest"
TOKEN = "/oauth/v1/generate"


def with_values(creds: Credentials, **values: str) -> Credentials:
    return replace(creds, values={**creds.values, **values})


def stk_callback(sandbox: Sandbox, checkout_id: str) -> dict[str, Any]:
    found = [c for c in sandbox.callbacks("mpesa", "stk") if checkout_id in c["body"]]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def gateway() -> DarajaGateway:
    return DarajaGateway()


@pytest.fixture
def creds(sandbox: Sandbox) -> Credentials:
    return sandbox.credentials("mpesa")


def test_one_token_serves_two_pushes(sandbox, gateway, creds):
    first = gateway.initiate(creds, push_request())
    second = gateway.initiate(creds, push_request(reference="pay-0002"))

    assert first.outcome is Outcome.PENDING and second.outcome is Outcome.PENDING
    assert first.provider_reference.startswith("ws_CO_")
    assert first.provider_reference != second.provider_reference
    assert len(sandbox.requests(TOKEN)) == 1
    assert len(sandbox.requests(PUSH)) == 2
    tokens = {r["headers"]["authorization"] for r in sandbox.requests(PUSH)}
    assert len(tokens) == 1 and next(iter(tokens)).startswith("Bearer ")


def test_a_token_invalidated_by_a_newer_one_is_refetched_once(sandbox, gateway, creds):
    gateway.initiate(creds, push_request())
    # Another process asks for a token with the same app: Daraja drops ours.
    other = httpx.get(
        f"{sandbox.url}{TOKEN}",
        params={"grant_type": "client_credentials"},
        auth=(creds.values["consumer_key"], creds.values["consumer_secret"]),
    )
    assert other.status_code == 200

    result = gateway.initiate(creds, push_request(reference="pay-0002"))

    assert result.outcome is Outcome.PENDING
    assert len(sandbox.requests(TOKEN)) == 3
    pushes = sandbox.requests(PUSH)
    assert len(pushes) == 3  # the refused one and its retry
    assert len(sandbox.callbacks("mpesa", "stk")) == 2


def test_password_is_shortcode_passkey_timestamp_in_nairobi_time(sandbox, gateway, creds):
    gateway.initiate(creds, push_request())

    body = json.loads(sandbox.requests(PUSH)[0]["body"])
    decoded = base64.b64decode(body["Password"]).decode()
    assert decoded == creds.values["shortcode"] + creds.values["passkey"] + body["Timestamp"]
    sent = datetime.strptime(body["Timestamp"], "%Y%m%d%H%M%S").replace(tzinfo=NAIROBI)
    assert abs(datetime.now(tz=NAIROBI) - sent) < timedelta(minutes=1)
    assert body["TransactionType"] == "CustomerPayBillOnline"
    assert body["PartyB"] == body["BusinessShortCode"] == "174379"
    assert body["Amount"] == 150 and body["PartyA"] == body["PhoneNumber"] == "254712345670"
    assert sandbox.requests(PUSH)[0]["headers"]["content-type"] == "application/json"


def test_a_wrong_passkey_is_refused_and_starts_nothing(sandbox, gateway, creds):
    with pytest.raises(GatewayError) as caught:
        gateway.initiate(with_values(creds, passkey="not-the-passkey"), push_request())

    assert caught.value.code == "500.001.1001"
    assert "Wrong credentials" in str(caught.value)
    assert sandbox.app.stk == {}
    assert sandbox.callbacks() == []


def test_wrong_consumer_secret_is_a_non_retryable_error(sandbox, gateway, creds):
    with pytest.raises(GatewayError) as caught:
        gateway.initiate(with_values(creds, consumer_secret="wrong"), push_request())

    assert caught.value.code == "400.008.01"
    assert caught.value.retryable is False
    assert sandbox.requests(PUSH) == []


def test_a_fractional_amount_is_refused_before_any_request(sandbox, gateway, creds):
    with pytest.raises(GatewayError) as caught:
        gateway.initiate(creds, push_request(amount=Decimal("99.50")))

    assert caught.value.code == "fractional_amount"
    assert sandbox.requests() == []


def test_whole_amount_with_zero_fraction_is_sent_as_an_integer(sandbox, gateway, creds):
    gateway.initiate(creds, push_request(amount=Decimal("150.00")))

    assert json.loads(sandbox.requests(PUSH)[0]["body"])["Amount"] == 150


def test_long_reference_and_description_are_truncated_to_dararja_limits(sandbox, gateway, creds):
    result = gateway.initiate(
        creds,
        push_request(account_reference="INVOICE-2026-000123", description="Groceries and more"),
    )

    body = json.loads(sandbox.requests(PUSH)[0]["body"])
    assert body["AccountReference"] == "INVOICE-2026"
    assert body["TransactionDesc"] == "Groceries and"
    assert result.outcome is Outcome.PENDING


def test_the_sandbox_refuses_an_over_long_account_reference(sandbox, creds):
    token = httpx.get(
        f"{sandbox.url}{TOKEN}",
        params={"grant_type": "client_credentials"},
        auth=(creds.values["consumer_key"], creds.values["consumer_secret"]),
    ).json()["access_token"]
    stamp = "20260101120000"
    password = base64.b64encode(
        (creds.values["shortcode"] + creds.values["passkey"] + stamp).encode()
    ).decode()
    body = {
        "BusinessShortCode": "174379",
        "Password": password,
        "Timestamp": stamp,
        "TransactionType": "CustomerPayBillOnline",
        "Amount": 1,
        "PartyA": "254712345670",
        "PartyB": "174379",
        "PhoneNumber": "254712345670",
        "CallBackURL": "https://duka.test/cb",
        "AccountReference": "THIRTEEN-CHAR",
        "TransactionDesc": "x",
    }
    answer = httpx.post(
        f"{sandbox.url}{PUSH}", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    form = httpx.post(
        f"{sandbox.url}{PUSH}", data={"a": "b"}, headers={"Authorization": f"Bearer {token}"}
    )

    assert answer.status_code == 400
    assert answer.json()["errorMessage"] == "Bad Request - Invalid AccountReference"
    # Daraja's misleading answer to a body that is not JSON.
    assert form.json()["errorMessage"] == "Bad Request - Invalid BusinessShortCode"
    assert sandbox.app.stk == {}


def test_buy_goods_sends_the_till_as_party_b(sandbox, gateway, creds):
    till = with_values(creds, transaction_type="CustomerBuyGoodsOnline", party_b="174379")
    result = gateway.initiate(till, push_request())

    body = json.loads(sandbox.requests(PUSH)[0]["body"])
    assert body["TransactionType"] == "CustomerBuyGoodsOnline"
    assert body["PartyB"] == "174379"
    callback = stk_callback(sandbox, result.provider_reference)
    assert gateway.parse_callback(till, callback["body"].encode(), {}).outcome is Outcome.SUCCEEDED


def test_an_unknown_till_fails_with_2028(sandbox, gateway, creds):
    till = with_values(creds, transaction_type="CustomerBuyGoodsOnline", party_b="999999")
    result = gateway.initiate(till, push_request())

    parsed = gateway.parse_callback(
        till, stk_callback(sandbox, result.provider_reference)["body"].encode(), {}
    )
    assert parsed.outcome is Outcome.FAILED and parsed.code == "2028"


def test_buy_goods_without_a_till_is_refused_locally(sandbox, gateway, creds):
    with pytest.raises(GatewayError) as caught:
        gateway.initiate(
            with_values(creds, transaction_type="CustomerBuyGoodsOnline", party_b=""),
            push_request(),
        )
    assert caught.value.code == "missing_credential"
    assert sandbox.requests() == []


@pytest.mark.parametrize(
    ("last_digit", "callback_outcome", "callback_code", "query_outcome", "query_code"),
    [
        ("0", Outcome.SUCCEEDED, "0", Outcome.SUCCEEDED, "0"),
        ("1", Outcome.FAILED, "1032", Outcome.FAILED, "1032"),
        ("3", Outcome.FAILED, "1", Outcome.FAILED, "1"),
        ("5", Outcome.UNKNOWN, "1037", Outcome.SUCCEEDED, "0"),
        ("6", Outcome.FAILED, "2001", Outcome.FAILED, "2001"),
        ("8", Outcome.SUCCEEDED, "0", Outcome.SUCCEEDED, "0"),
    ],
)
def test_scenarios_map_callback_and_query_codes(
    sandbox,
    gateway,
    creds,
    last_digit,
    callback_outcome,
    callback_code,
    query_outcome,
    query_code,
):
    pushed = gateway.initiate(creds, push_request(payer="25471234567" + last_digit))

    callback = stk_callback(sandbox, pushed.provider_reference)
    parsed = gateway.parse_callback(creds, callback["body"].encode(), callback["headers"])
    queried = gateway.query(creds, pushed.provider_reference, "pay-0001")

    assert callback["url"] == "https://duka.test/payments/cb/unguessable-token"
    assert (parsed.outcome, parsed.code) == (callback_outcome, callback_code)
    assert parsed.provider_reference == pushed.provider_reference
    assert (queried.outcome, queried.code) == (query_outcome, query_code)
    if callback_outcome is Outcome.SUCCEEDED:
        assert parsed.receipt.startswith("SBX") and parsed.amount == Decimal("150")
        assert parsed.payer == "25471234567" + last_digit
    else:
        assert parsed.receipt == "" and parsed.amount is None


def test_being_processed_is_pending_then_success(sandbox, gateway, creds):
    pushed = gateway.initiate(creds, push_request(payer="254712345672"))

    first = gateway.query(creds, pushed.provider_reference, "pay-0001")
    second = gateway.query(creds, pushed.provider_reference, "pay-0001")

    assert sandbox.callbacks() == []
    assert (first.outcome, first.code) == (Outcome.PENDING, "500.001.1001")
    assert second.outcome is Outcome.SUCCEEDED


def test_being_processed_forever_stays_pending(sandbox, gateway, creds):
    pushed = gateway.initiate(creds, push_request(payer="254712345674"))

    outcomes = {gateway.query(creds, pushed.provider_reference, "r").outcome for _ in range(3)}

    assert outcomes == {Outcome.PENDING}
    assert sandbox.callbacks() == []


def test_query_with_wrong_credentials_is_an_error_not_pending(sandbox, gateway, creds):
    pushed = gateway.initiate(creds, push_request(payer="254712345674"))

    with pytest.raises(GatewayError) as caught:
        gateway.query(with_values(creds, passkey="wrong"), pushed.provider_reference, "r")
    # Same errorCode as "being processed": only the message separates them.
    assert caught.value.code == "500.001.1001"


def test_query_of_an_unknown_checkout_is_an_error(sandbox, gateway, creds):
    with pytest.raises(GatewayError) as caught:
        gateway.query(creds, "ws_CO_nothing", "r")
    assert caught.value.code == "400.002.02"


def test_a_scenario_can_be_set_per_payer(sandbox, gateway, creds):
    answer = httpx.post(
        f"{sandbox.url}/__sandbox__/scenario", json={"payer": "254712345670", "scenario": 6}
    )
    assert answer.status_code == 200

    pushed = gateway.initiate(creds, push_request(payer="254712345670"))
    parsed = gateway.parse_callback(
        creds, stk_callback(sandbox, pushed.provider_reference)["body"].encode(), {}
    )
    assert (parsed.outcome, parsed.code) == (Outcome.FAILED, "2001")


def test_callback_items_are_read_by_name_and_balance_may_lack_a_value(gateway, creds):
    body = {
        "Body": {
            "stkCallback": {
                "MerchantRequestID": "29115-34620561-1",
                "CheckoutRequestID": "ws_CO_191220191020363925",
                "ResultCode": 0,
                "ResultDesc": "The service request is processed successfully.",
                "CallbackMetadata": {
                    "Item": [
                        {"Name": "PhoneNumber", "Value": 254708374149},
                        {"Name": "Balance"},
                        {"Name": "MpesaReceiptNumber", "Value": "NLJ7RT61SV"},
                        {"Name": "TransactionDate", "Value": 20191219102115},
                        {"Name": "Amount", "Value": 1.0},
                    ]
                },
            }
        }
    }

    parsed = gateway.parse_callback(creds, json.dumps(body).encode(), {})

    assert parsed.outcome is Outcome.SUCCEEDED
    assert parsed.receipt == "NLJ7RT61SV"
    assert parsed.amount == Decimal("1.0")
    assert parsed.payer == "254708374149"
    assert parsed.provider_reference == "ws_CO_191220191020363925"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"Body": {}}',
        b'{"Body": {"stkCallback": {"ResultCode": 0}}}',
        b'{"Body": {"stkCallback": {"CheckoutRequestID": "", "ResultCode": 1032}}}',
        b'{"Body": {"stkCallback": {"CheckoutRequestID": 12345, "ResultCode": 1032}}}',
        b'{"Body": {"stkCallback": {"CheckoutRequestID": "ws_CO_1"}}}',
        # A success without a receipt cannot be genuine.
        b'{"Body": {"stkCallback": {"CheckoutRequestID": "ws_CO_1", "ResultCode": 0}}}',
    ],
)
def test_malformed_callbacks_are_rejected(gateway, creds, body):
    with pytest.raises(CallbackRejected):
        gateway.parse_callback(creds, body, {})


def test_a_silent_provider_is_a_retryable_timeout(silent_url):
    gateway = DarajaGateway(timeout=httpx.Timeout(0.3))
    creds = Credentials(
        base_url=silent_url,
        values={
            "consumer_key": "k",
            "consumer_secret": "s",
            "shortcode": "174379",
            "passkey": "p",
        },
    )

    with pytest.raises(GatewayError) as caught:
        gateway.initiate(creds, push_request())

    assert caught.value.retryable is True
    assert caught.value.code == "timeout"


def test_an_unreachable_provider_is_retryable(closed_url, gateway):
    creds = Credentials(
        base_url=closed_url,
        values={
            "consumer_key": "k",
            "consumer_secret": "s",
            "shortcode": "174379",
            "passkey": "p",
        },
    )

    with pytest.raises(GatewayError) as caught:
        gateway.query(creds, "ws_CO_1", "r")

    assert caught.value.retryable is True and caught.value.code == "unreachable"


def test_c2b_registration_and_confirmation_parsing(sandbox, gateway, creds):
    answer = gateway.register_c2b_urls(
        creds, "https://duka.test/mpesa/c2b/confirm", "https://duka.test/mpesa/c2b/validate"
    )
    assert answer["ResponseCode"] == "0" and "OriginatorCoversationID" in answer
    registered = json.loads(sandbox.requests("/mpesa/c2b/v1/registerurl")[0]["body"])
    assert registered["ResponseType"] == "Completed"

    result = httpx.post(
        f"{sandbox.url}/__sandbox__/mpesa/c2b",
        json={
            "amount": "250",
            "bill_ref": " INV-42 ",
            "msisdn": "254712345678",
            "first_name": "Akinyi",
            "last_name": "Otieno",
        },
    ).json()

    validation, confirmation = sandbox.callbacks("mpesa")
    assert validation["kind"] == "c2b_validation"
    assert validation["url"] == "https://duka.test/mpesa/c2b/validate"
    assert confirmation["url"] == "https://duka.test/mpesa/c2b/confirm"
    notice = gateway.parse_c2b(confirmation["body"].encode())
    assert notice.trans_id == result["TransID"]
    assert notice.amount == Decimal("250.00")
    assert notice.bill_ref == "INV-42"
    assert (notice.first_name, notice.middle_name, notice.last_name) == ("Akinyi", "", "Otieno")
    assert notice.business_short_code == "174379"
    assert notice.msisdn.startswith("254712") and "*" in notice.msisdn
    assert len(notice.trans_time) == 14


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b'{"TransID": "X", "BusinessShortCode": "1"}',
        b"nope",
        b'{"TransID": "X", "TransAmount": "abc", "BusinessShortCode": "1"}',
    ],
)
def test_c2b_notices_without_essentials_are_rejected(gateway, body):
    with pytest.raises(CallbackRejected):
        gateway.parse_c2b(body)


def test_reversal_uses_an_rsa_security_credential_and_reports_by_result(sandbox, gateway, creds):
    creds = with_values(creds, result_url="https://duka.test/mpesa/reversal/result")
    pushed = gateway.initiate(creds, push_request())
    receipt = gateway.parse_callback(
        creds, stk_callback(sandbox, pushed.provider_reference)["body"].encode(), {}
    ).receipt

    refund = gateway.refund(creds, receipt=receipt, amount=Decimal("150"), reference="rf-1")

    assert refund.outcome is Outcome.PENDING and refund.provider_reference.startswith("AG_")
    sent = json.loads(sandbox.requests("/mpesa/reversal/v1/request")[0]["body"])
    assert sent["RecieverIdentifierType"] == "11"
    assert sent["TransactionID"] == receipt and sent["CommandID"] == "TransactionReversal"
    assert sandbox.decrypt_credential(sent["SecurityCredential"]) == "Safaricom999!*!"
    [result] = sandbox.callbacks("mpesa", "reversal_result")
    assert result["url"] == "https://duka.test/mpesa/reversal/result"
    parsed = DarajaGateway.parse_result(result["body"].encode())
    assert (parsed.outcome, parsed.code) == (Outcome.SUCCEEDED, "0")
    assert parsed.provider_reference == refund.provider_reference

    again = gateway.refund(creds, receipt=receipt, amount=Decimal("150"), reference="rf-2")
    second = sandbox.callbacks("mpesa", "reversal_result")[1]
    parsed_again = DarajaGateway.parse_result(second["body"].encode())
    assert parsed_again.provider_reference == again.provider_reference
    assert (parsed_again.outcome, parsed_again.code) == (Outcome.SUCCEEDED, "R000001")


def test_reversal_with_a_wrong_initiator_password_fails(sandbox, gateway, creds):
    creds = with_values(creds, result_url="https://duka.test/r", initiator_password="guess")
    pushed = gateway.initiate(creds, push_request())
    receipt = gateway.parse_callback(
        creds, stk_callback(sandbox, pushed.provider_reference)["body"].encode(), {}
    ).receipt

    gateway.refund(creds, receipt=receipt, amount=Decimal("150"), reference="rf-1")

    [result] = sandbox.callbacks("mpesa", "reversal_result")
    parsed = DarajaGateway.parse_result(result["body"].encode())
    assert (parsed.outcome, parsed.code) == (Outcome.FAILED, "2001")
    assert sandbox.app.mpesa_receipts[receipt]["reversed"] is False


def test_reversal_needs_its_credentials(sandbox, gateway, creds):
    with pytest.raises(GatewayError) as caught:
        gateway.refund(creds, receipt="SBX1234567", amount=Decimal("1"), reference="rf")
    assert caught.value.code == "missing_credential"
    assert sandbox.requests() == []


@pytest.mark.parametrize("body", [b"{}", b'{"Result": {"ResultCode": 0}}', b"x"])
def test_malformed_results_are_rejected(body):
    with pytest.raises(CallbackRejected):
        DarajaGateway.parse_result(body)
