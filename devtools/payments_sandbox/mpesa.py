"""M-Pesa Daraja in the sandbox: OAuth, STK push and query, C2B (URL registration and the
simulated paybill payment), reversal and B2C payouts."""

from __future__ import annotations

import base64
import hmac
import json
import re
import secrets
import string
import time
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeGuard

from devtools.payments_sandbox.core import (
    JSON_TYPE,
    NAIROBI,
    PROCESSING,
    URL,
    Request,
    Response,
    Route,
    SandboxCore,
    Scenario,
    as_amount,
    dumps,
    random_text,
    reply,
)
from devtools.payments_sandbox.keys import SandboxKeys, sandbox_keys

# Safaricom's published passkey for the shared sandbox shortcode 174379.
DARAJA_SANDBOX_PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"

CREDENTIALS: dict[str, str] = {
    "consumer_key": "duka-sandbox-key",
    "consumer_secret": "duka-sandbox-secret",
    "shortcode": "174379",
    "passkey": DARAJA_SANDBOX_PASSKEY,
    "transaction_type": "CustomerPayBillOnline",
    "party_b": "174379",
    "initiator_name": "testapi",
    "initiator_password": "Safaricom999!*!",
    "certificate_pem": sandbox_keys().certificate_pem,
    # B2C payouts (partial refunds) leave from a shortcode of their own; the initiator is
    # the reversal's.
    "b2c_shortcode": "600996",
}

RESULT_DESCRIPTIONS = {
    "0": "The service request is processed successfully.",
    "1": "The balance is insufficient for the transaction.",
    "1032": "Request cancelled by user",
    "1037": "DS timeout user cannot be reached",
    "2001": "The initiator information is invalid.",
    "2028": "The request is not permitted according to product assignment.",
}

PHONE = re.compile(r"^254\d{9}$")
TIMESTAMP = re.compile(r"^\d{14}$")
B2C_COMMANDS = ("BusinessPayment", "SalaryPayment", "PromotionPayment")
# What the sandbox's B2C utility account holds until a test sets it (``set_b2c_balance``).
B2C_OPENING_BALANCE = Decimal(1_000_000)


def daraja_error(status: int, code: str, message: str) -> Response:
    return reply(
        status,
        {
            "requestId": random_text("", 20, string.digits),
            "errorCode": code,
            "errorMessage": message,
        },
    )


def bad_request(field_name: str) -> Response:
    return daraja_error(400, "400.002.02", f"Bad Request - Invalid {field_name}")


def is_whole_amount(value: Any) -> TypeGuard[int | str]:
    """Daraja takes a whole number of shillings, at least 1, as a number or a digit string."""
    return (
        not isinstance(value, bool)
        and isinstance(value, int | str)
        and str(value).isdigit()
        and int(value) >= 1
    )


class MpesaSandbox(SandboxCore):
    """Daraja's endpoints, its tokens, STK pushes, receipts, C2B URLs and the B2C account."""

    DEFAULT_CREDENTIALS = {"mpesa": CREDENTIALS}

    def _provider_routes(self) -> list[Route]:
        return [
            ("GET", re.compile(r"/oauth/v1/generate"), self.daraja_token),
            ("POST", re.compile(r"/mpesa/stkpush/v1/processrequest"), self.daraja_stk_push),
            ("POST", re.compile(r"/mpesa/stkpushquery/v1/query"), self.daraja_stk_query),
            ("POST", re.compile(r"/mpesa/c2b/v1/registerurl"), self.daraja_register_c2b),
            ("POST", re.compile(r"/mpesa/reversal/v1/request"), self.daraja_reversal),
            ("POST", re.compile(r"/mpesa/b2c/(?P<version>v1|v3)/paymentrequest"), self.daraja_b2c),
            ("POST", re.compile(r"/__sandbox__/mpesa/c2b"), self.ctl_c2b),
            ("POST", re.compile(r"/__sandbox__/mpesa/b2c-balance"), self.ctl_b2c_balance),
            *super()._provider_routes(),
        ]

    def _reset_provider_state(self) -> None:
        super()._reset_provider_state()
        self.daraja_current: dict[str, str] = {}  # consumer key -> the one valid token
        self.daraja_tokens: dict[str, tuple[str, float]] = {}
        self.stk: dict[str, dict[str, Any]] = {}
        self.mpesa_receipts: dict[str, dict[str, Any]] = {}
        self.c2b_urls: dict[str, dict[str, str]] = {}
        self.b2c_balance = B2C_OPENING_BALANCE
        self.b2c: dict[str, dict[str, Any]] = {}  # payouts by ConversationID

    @property
    def keys(self) -> SandboxKeys:
        """The throwaway key that SecurityCredentials are encrypted for (one per process)."""
        return sandbox_keys()

    def daraja_token(self, request: Request) -> Response:
        if request.query.get("grant_type") != "client_credentials":
            return daraja_error(400, "400.008.02", "Invalid grant type passed")
        auth = request.basic_auth()
        creds = self.creds["mpesa"]
        if auth is None or auth != (creds["consumer_key"], creds["consumer_secret"]):
            return daraja_error(400, "400.008.01", "Invalid Authentication passed")
        token = random_text("", 28, string.ascii_letters + string.digits)
        with self._lock:
            # Daraja keeps one live token per app: issuing a new one kills the previous.
            old = self.daraja_current.get(auth[0])
            if old:
                self.daraja_tokens.pop(old, None)
            self.daraja_current[auth[0]] = token
            self.daraja_tokens[token] = (auth[0], time.monotonic() + 3599)
        return reply(200, {"access_token": token, "expires_in": "3599"})

    def _daraja_guard(self, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
        with self._lock:
            entry = self.daraja_tokens.get(request.bearer())
        if entry is None or entry[1] < time.monotonic():
            return None, daraja_error(404, "404.001.03", "Invalid Access Token")
        if request.content_type != JSON_TYPE:
            # What Daraja really answers to a form-encoded body.
            return None, bad_request("BusinessShortCode")
        body = request.json()
        if not isinstance(body, dict):
            return None, bad_request("JSON")
        return body, None

    def _stk_guard(self, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
        """An STK request's checks: the token and body, then the shortcode's password."""
        body, error = self._daraja_guard(request)
        if error or body is None:
            return None, error
        return body, self._check_password(body)

    def _check_password(self, body: dict[str, Any]) -> Response | None:
        creds = self.creds["mpesa"]
        if str(body.get("BusinessShortCode")) != creds["shortcode"]:
            return bad_request("BusinessShortCode")
        timestamp = str(body.get("Timestamp", ""))
        if not TIMESTAMP.fullmatch(timestamp):
            return bad_request("Timestamp")
        expected = base64.b64encode(
            f"{creds['shortcode']}{creds['passkey']}{timestamp}".encode()
        ).decode()
        if not hmac.compare_digest(str(body.get("Password", "")), expected):
            return daraja_error(500, "500.001.1001", "Wrong credentials")
        return None

    def daraja_stk_push(self, request: Request) -> Response:
        body, error = self._stk_guard(request)
        if error or body is None:
            return error or bad_request("JSON")
        amount = body.get("Amount")
        if not is_whole_amount(amount):
            return bad_request("Amount")
        for name in ("PartyA", "PhoneNumber"):
            if not PHONE.fullmatch(str(body.get(name, ""))):
                return bad_request(name)
        if not URL.fullmatch(str(body.get("CallBackURL", ""))):
            return bad_request("CallBackURL")
        reference = body.get("AccountReference")
        if not isinstance(reference, str) or not 0 < len(reference) <= 12:
            return bad_request("AccountReference")
        description = body.get("TransactionDesc")
        if not isinstance(description, str) or not 0 < len(description) <= 13:
            return bad_request("TransactionDesc")
        transaction_type = body.get("TransactionType")
        if transaction_type not in ("CustomerPayBillOnline", "CustomerBuyGoodsOnline"):
            return bad_request("TransactionType")
        creds = self.creds["mpesa"]
        expected_b = (
            creds["shortcode"]
            if transaction_type == "CustomerPayBillOnline"
            else (creds.get("party_b", ""))
        )
        number, scenario = self.scenario_for(str(body["PhoneNumber"]))
        if str(body.get("PartyB")) != expected_b:
            scenario = Scenario("bad PartyB", "2028", ("2028",))
        merchant_id = f"{secrets.randbelow(90000) + 10000}-{secrets.randbelow(9 * 10**7) + 10**7}-1"
        checkout_id = (
            "ws_CO_"
            + datetime.now(tz=NAIROBI).strftime("%d%m%Y%H%M%S")
            + random_text("", 12, string.digits)
        )
        receipt = random_text("SBX", 7) if scenario.paid else ""
        with self._lock:
            self.stk[checkout_id] = {
                "merchant_id": merchant_id,
                "scenario": scenario,
                "number": number,
                "queries": 0,
                "amount": int(amount),
                "phone": str(body["PhoneNumber"]),
                "receipt": receipt,
                "callback_url": body["CallBackURL"],
                "account_reference": reference,
            }
            if receipt:
                self.mpesa_receipts[receipt] = {"amount": int(amount), "reversed": False}
        if scenario.callback is not None:
            self.emit(
                "mpesa",
                "stk",
                str(body["CallBackURL"]),
                dumps(self._stk_callback(checkout_id, scenario.callback)),
                {},
            )
        message = "Success. Request accepted for processing"
        return reply(
            200,
            {
                "MerchantRequestID": merchant_id,
                "CheckoutRequestID": checkout_id,
                "ResponseCode": "0",
                "ResponseDescription": message,
                "CustomerMessage": message,
            },
        )

    def _stk_callback(self, checkout_id: str, code: str) -> dict[str, Any]:
        with self._lock:
            stk = self.stk[checkout_id]
        callback: dict[str, Any] = {
            "MerchantRequestID": stk["merchant_id"],
            "CheckoutRequestID": checkout_id,
            "ResultCode": int(code),
            "ResultDesc": RESULT_DESCRIPTIONS.get(code, "Failed"),
        }
        if code == "0":
            callback["CallbackMetadata"] = {
                "Item": [
                    {"Name": "Amount", "Value": stk["amount"]},
                    {"Name": "MpesaReceiptNumber", "Value": stk["receipt"]},
                    {"Name": "Balance"},
                    {
                        "Name": "TransactionDate",
                        "Value": int(datetime.now(tz=NAIROBI).strftime("%Y%m%d%H%M%S")),
                    },
                    {"Name": "PhoneNumber", "Value": int(stk["phone"])},
                ]
            }
        return {"Body": {"stkCallback": callback}}

    def daraja_stk_query(self, request: Request) -> Response:
        body, error = self._stk_guard(request)
        if error or body is None:
            return error or bad_request("JSON")
        checkout_id = str(body.get("CheckoutRequestID", ""))
        with self._lock:
            stk = self.stk.get(checkout_id)
            if stk is None:
                return bad_request("CheckoutRequestID")
            answer = stk["scenario"].query_answer(stk["queries"])
            stk["queries"] += 1
        if answer == PROCESSING:
            return daraja_error(500, "500.001.1001", "The transaction is being processed")
        return reply(
            200,
            {
                "ResponseCode": "0",
                "ResponseDescription": "The service request has been accepted successsfully",
                "MerchantRequestID": stk["merchant_id"],
                "CheckoutRequestID": checkout_id,
                "ResultCode": answer,
                "ResultDesc": RESULT_DESCRIPTIONS.get(answer, "Failed"),
            },
        )

    def daraja_register_c2b(self, request: Request) -> Response:
        body, error = self._daraja_guard(request)
        if error or body is None:
            return error or bad_request("JSON")
        if str(body.get("ShortCode")) != self.creds["mpesa"]["shortcode"]:
            return bad_request("ShortCode")
        if body.get("ResponseType") not in ("Completed", "Cancelled"):
            return bad_request("ResponseType")
        for name in ("ConfirmationURL", "ValidationURL"):
            if not URL.fullmatch(str(body.get(name, ""))):
                return bad_request(name)
        with self._lock:
            self.c2b_urls[str(body["ShortCode"])] = {
                "confirmation": body["ConfirmationURL"],
                "validation": body["ValidationURL"],
                "response_type": body["ResponseType"],
            }
        return reply(
            200,
            {
                "OriginatorCoversationID": random_text("", 10, string.digits),
                "ResponseCode": "0",
                "ResponseDescription": "Success",
            },
        )

    def simulate_c2b(
        self,
        *,
        amount: Decimal,
        bill_ref: str,
        msisdn: str = "254708374149",
        first_name: str = "John",
        middle_name: str = "",
        last_name: str = "Doe",
        shortcode: str | None = None,
    ) -> dict[str, Any]:
        shortcode = shortcode or self.creds["mpesa"]["shortcode"]
        with self._lock:
            urls = self.c2b_urls.get(shortcode)
        if urls is None:
            return {"accepted": False, "reason": "no URLs registered for this shortcode"}
        trans_id = random_text("SBX", 7)
        notice = {
            "TransactionType": "Pay Bill",
            "TransID": trans_id,
            "TransTime": datetime.now(tz=NAIROBI).strftime("%Y%m%d%H%M%S"),
            "TransAmount": f"{amount:.2f}",
            "BusinessShortCode": shortcode,
            "BillRefNumber": bill_ref,
            "InvoiceNumber": "",
            "OrgAccountBalance": "",
            "ThirdPartyTransID": "",
            # Daraja v2 masks the payer's number.
            "MSISDN": msisdn[:6] + "*****" + msisdn[-3:] if len(msisdn) > 9 else msisdn,
            "FirstName": first_name,
            "MiddleName": middle_name,
            "LastName": last_name,
        }
        body = dumps(notice)
        result: dict[str, Any] = {"TransID": trans_id, "accepted": True}
        if urls.get("validation"):
            validation = self.emit(
                "mpesa", "c2b_validation", urls["validation"], body, {}, sync=True
            )
            result["validation"] = validation["id"]
            if validation["status"] == "delivered":
                try:
                    answer = json.loads(validation["response_body"] or "null")
                except ValueError:
                    answer = None
                code = str(answer.get("ResultCode")) if isinstance(answer, dict) else ""
                if code != "0":
                    result.update(accepted=False, reason=f"validation answered {code or '?'}")
                    return result
            elif validation["status"] == "failed" and urls["response_type"] == "Cancelled":
                result.update(accepted=False, reason="validation URL unreachable")
                return result
        with self._lock:
            self.mpesa_receipts[trans_id] = {"amount": amount, "reversed": False}
        confirmation = self.emit(
            "mpesa", "c2b_confirmation", urls["confirmation"], body, {}, sync=True
        )
        result["confirmation"] = confirmation["id"]
        return result

    def daraja_reversal(self, request: Request) -> Response:
        body, error = self._daraja_guard(request)
        if error or body is None:
            return error or bad_request("JSON")
        if body.get("CommandID") != "TransactionReversal":
            return bad_request("CommandID")
        if not body.get("RecieverIdentifierType"):
            return bad_request("RecieverIdentifierType")
        if str(body.get("ReceiverParty")) != self.creds["mpesa"]["shortcode"]:
            return bad_request("ReceiverParty")
        result_url = str(body.get("ResultURL", ""))
        if not URL.fullmatch(result_url):
            return bad_request("ResultURL")
        creds = self.creds["mpesa"]
        try:
            password = self.keys.decrypt_credential(str(body.get("SecurityCredential", "")))
        except ValueError:
            password = None
        receipt = str(body.get("TransactionID", ""))
        with self._lock:
            known = self.mpesa_receipts.get(receipt)
            if (
                body.get("Initiator") != creds["initiator_name"]
                or password != creds["initiator_password"]
            ):
                code, desc = "2001", "The initiator information is invalid."
            elif known is None:
                code, desc = "R000002", "The OriginalTransactionID is invalid."
            elif known["reversed"]:
                code, desc = "R000001", "The transaction has already been reversed."
            else:
                known["reversed"] = True
                code, desc = "0", "The service request is processed successfully."
        conversation = random_text(
            "AG_" + datetime.now(tz=NAIROBI).strftime("%Y%m%d") + "_",
            20,
            string.ascii_lowercase + string.digits,
        )
        originator = random_text("", 20, string.ascii_lowercase + string.digits)
        result = {
            "Result": {
                "ResultType": 0,
                "ResultCode": int(code) if code.isdigit() else code,
                "ResultDesc": desc,
                "OriginatorConversationID": originator,
                "ConversationID": conversation,
                "TransactionID": random_text("SBR", 7),
                "ResultParameters": {
                    "ResultParameter": [
                        {"Key": "Amount", "Value": body.get("Amount")},
                        {"Key": "OriginalTransactionID", "Value": receipt},
                    ]
                },
                "ReferenceData": {
                    "ReferenceItem": {
                        "Key": "QueueTimeoutURL",
                        "Value": body.get("QueueTimeOutURL"),
                    }
                },
            }
        }
        self.emit("mpesa", "reversal_result", result_url, dumps(result), {})
        return reply(
            200,
            {
                "OriginatorConversationID": originator,
                "ConversationID": conversation,
                "ResponseCode": "0",
                "ResponseDescription": "Accept the service request successfully.",
            },
        )

    def daraja_b2c(self, request: Request, version: str) -> Response:
        """A B2C payment request: checked like Daraja does at once (fields), then answered
        later by a Result to ResultURL (initiator, balance)."""
        body, error = self._daraja_guard(request)
        if error or body is None:
            return error or bad_request("JSON")
        creds = self.creds["mpesa"]
        originator = body.get("OriginatorConversationID")
        if version == "v3" and (not isinstance(originator, str) or not originator):
            return bad_request("OriginatorConversationID")
        if body.get("CommandID") not in B2C_COMMANDS:
            return bad_request("CommandID")
        amount = body.get("Amount")
        if not is_whole_amount(amount):
            return bad_request("Amount")
        if str(body.get("PartyA")) != creds.get("b2c_shortcode"):
            return bad_request("PartyA")
        party_b = str(body.get("PartyB", ""))
        if not PHONE.fullmatch(party_b):
            return bad_request("PartyB")
        for name in ("ResultURL", "QueueTimeOutURL"):
            if not URL.fullmatch(str(body.get(name, ""))):
                return bad_request(name)
        if not isinstance(body.get("Remarks"), str) or not 0 < len(body["Remarks"]) <= 100:
            return bad_request("Remarks")
        try:
            password = self.keys.decrypt_credential(str(body.get("SecurityCredential", "")))
        except ValueError:
            password = None
        value = Decimal(int(amount))
        receipt = ""
        with self._lock:
            if (
                body.get("InitiatorName") != creds["initiator_name"]
                or password != creds["initiator_password"]
            ):
                code = "2001"
            elif value > self.b2c_balance:
                code = "1"
            else:
                code = "0"
                self.b2c_balance -= value
                receipt = random_text("SBC", 7)
                self.mpesa_receipts[receipt] = {"amount": value, "reversed": False}
            balance = self.b2c_balance
        conversation = random_text(
            "AG_" + datetime.now(tz=NAIROBI).strftime("%Y%m%d") + "_",
            20,
            string.ascii_lowercase + string.digits,
        )
        if not isinstance(originator, str) or not originator:
            originator = random_text("", 20, string.ascii_lowercase + string.digits)
        result: dict[str, Any] = {
            "ResultType": 0,
            "ResultCode": int(code),
            "ResultDesc": RESULT_DESCRIPTIONS[code],
            "OriginatorConversationID": originator,
            "ConversationID": conversation,
            "TransactionID": receipt or random_text("SBF", 7),
        }
        if code == "0":
            result["ResultParameters"] = {
                "ResultParameter": [
                    {"Key": "TransactionAmount", "Value": int(amount)},
                    {"Key": "TransactionReceipt", "Value": receipt},
                    {"Key": "B2CRecipientIsRegisteredCustomer", "Value": "Y"},
                    {"Key": "B2CChargesPaidAccountAvailableFunds", "Value": 0},
                    {"Key": "ReceiverPartyPublicName", "Value": f"{party_b} - John Doe"},
                    {
                        "Key": "TransactionCompletedDateTime",
                        "Value": datetime.now(tz=NAIROBI).strftime("%d.%m.%Y %H:%M:%S"),
                    },
                    {"Key": "B2CUtilityAccountAvailableFunds", "Value": balance},
                    {"Key": "B2CWorkingAccountAvailableFunds", "Value": 0},
                ]
            }
        result["ReferenceData"] = {
            "ReferenceItem": {"Key": "QueueTimeoutURL", "Value": body.get("QueueTimeOutURL")}
        }
        with self._lock:
            self.b2c[conversation] = {
                "amount": int(amount),
                "party_b": party_b,
                "code": code,
                "receipt": receipt,
            }
        self.emit("mpesa", "b2c_result", str(body["ResultURL"]), dumps({"Result": result}), {})
        return reply(
            200,
            {
                "ConversationID": conversation,
                "OriginatorConversationID": originator,
                "ResponseCode": "0",
                "ResponseDescription": "Accept the service request successfully.",
            },
        )

    def ctl_c2b(self, request: Request) -> Response:
        body = request.json()
        amount = as_amount(body.get("amount")) if isinstance(body, dict) else None
        if not isinstance(body, dict) or amount is None or amount <= 0:
            return reply(400, {"error": 'send {"amount", "bill_ref", "msisdn"?}'})
        result = self.simulate_c2b(
            amount=amount,
            bill_ref=str(body.get("bill_ref", "")),
            msisdn=str(body.get("msisdn") or "254708374149"),
            first_name=str(body.get("first_name") or "John"),
            middle_name=str(body.get("middle_name") or ""),
            last_name=str(body.get("last_name") or "Doe"),
            shortcode=body.get("shortcode"),
        )
        return reply(200, result)

    def ctl_b2c_balance(self, request: Request) -> Response:
        body = request.json()
        balance = as_amount(body.get("balance")) if isinstance(body, dict) else None
        if balance is None or not balance.is_finite() or balance < 0:
            return reply(400, {"error": 'send {"balance": "500"}'})
        with self._lock:
            self.b2c_balance = balance
        return reply(200, {"balance": balance})
