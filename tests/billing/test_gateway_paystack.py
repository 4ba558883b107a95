"""The Paystack adapter against the fake Paystack, over real HTTP with the real ``pypaystack2``:
customers, a method saved by a refunded first payment on the pay page (card or mobile money),
Charge Authorization under our reference, lookups, webhook signatures, and confirmation by
Verify Transaction."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from billing.gateways.base import ChargeResult, GatewayError, InvalidWebhook, SavedMethod
from billing.gateways.paystack_gateway import SETUP_REFERENCE_PREFIX, PaystackGateway
from devtools.billing_fakes import BillingFakes

RETURN_URL = "http://localhost:8000/billing/method/done"
EMAIL = "owner@duka-shop.test"


@dataclass
class Customer:
    gateway: PaystackGateway
    customer_id: str
    currency: str = "NGN"

    def start(self, reference: str) -> tuple[str, str]:
        session = self.gateway.start_setup(
            customer_id=self.customer_id,
            email=EMAIL,
            currency=self.currency,
            reference=reference,
            return_url=RETURN_URL,
        )
        return session.url, session.reference

    def save(self, method: str = "card", reference: str = "m1") -> SavedMethod:
        url, setup_reference = self.start(reference)
        paid = httpx.post(url, data={"method": method, "result": "success"})
        assert paid.status_code == 302
        saved = self.gateway.finish_setup(reference=setup_reference)
        assert saved is not None
        return saved

    def charge(
        self, method: SavedMethod, reference: str, amount_minor: int = 650000
    ) -> ChargeResult:
        return self.gateway.charge(
            customer_id=self.customer_id,
            method_token=method.token,
            email=EMAIL,
            amount_minor=amount_minor,
            currency=self.currency,
            reference=reference,
            description="Duka Growth, May 2026",
        )


@pytest.fixture
def paystack(billing_fakes: BillingFakes) -> PaystackGateway:
    return PaystackGateway.from_settings()


@pytest.fixture
def customer(paystack: PaystackGateway) -> Customer:
    return Customer(
        paystack, paystack.ensure_customer(email=EMAIL, name="Iya Shop", business_ref="biz-3")
    )


def _sent(fakes: BillingFakes, path: str) -> list[dict[str, Any]]:
    return [json.loads(r["body"]) for r in fakes.requests(f"/paystack{path}")]


# --- customers ------------------------------------------------------------------------------------


def test_a_customer_is_made_once_and_reused_by_email(
    paystack: PaystackGateway, billing_fakes: BillingFakes
) -> None:
    first = paystack.ensure_customer(email=EMAIL, name="Iya Shop", business_ref="biz-3")
    again = paystack.ensure_customer(email=EMAIL, name="Iya Shop", business_ref="biz-3")

    assert first == again
    assert first.startswith("CUS_")
    (made,) = billing_fakes.paystack.customers.values()
    assert (made["email"], made["metadata"]) == (EMAIL, {"business": "biz-3"})
    assert len(_sent(billing_fakes, "/customer/")) == 1


# --- saving a method ------------------------------------------------------------------------------


def test_a_card_is_saved_by_a_first_payment_that_is_refunded(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    url, reference = customer.start("m-card")

    assert reference == f"{SETUP_REFERENCE_PREFIX}m-card"
    assert url.startswith(f"{billing_fakes.paystack_api_base}/checkout/")
    (initialized,) = _sent(billing_fakes, "/transaction/initialize")
    assert initialized["amount"] == 5000  # NGN 50.00 in kobo
    assert initialized["currency"] == "NGN"
    assert initialized["reference"] == reference
    assert initialized["channels"] == ["card", "mobile_money"]
    assert initialized["callback_url"] == RETURN_URL
    assert customer.gateway.finish_setup(reference=reference) is None  # not paid yet

    page = httpx.get(url)
    assert page.status_code == 200
    assert "NGN 50.00" in page.text
    paid = httpx.post(url, data={"method": "card", "result": "success"})
    assert paid.status_code == 302
    assert paid.headers["location"] == f"{RETURN_URL}?trxref={reference}&reference={reference}"

    method = customer.gateway.finish_setup(reference=reference)
    assert method is not None
    assert method.token.startswith("AUTH_")
    assert (method.kind, method.label) == ("card", "Visa •••• 4081")
    assert method.customer_id == customer.customer_id
    (refund,) = billing_fakes.paystack.refunds
    assert (refund["transaction"]["reference"], refund["amount"]) == (reference, 5000)


def test_finishing_a_setup_twice_refunds_once(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    url, reference = customer.start("m-twice")
    httpx.post(url, data={"method": "card", "result": "success"})

    first = customer.gateway.finish_setup(reference=reference)
    second = customer.gateway.finish_setup(reference=reference)

    assert first == second is not None
    assert len(billing_fakes.paystack.refunds) == 1


def test_mobile_money_is_saved_in_kenya(
    paystack: PaystackGateway, billing_fakes: BillingFakes
) -> None:
    customer = Customer(
        paystack,
        paystack.ensure_customer(email=EMAIL, name="Duka ya Mama", business_ref="biz-4"),
        currency="KES",
    )

    method = customer.save("mobile_money", "m-mpesa")

    assert (method.kind, method.label) == ("mobile_money", "M-Pesa •••• 0123")
    (initialized,) = _sent(billing_fakes, "/transaction/initialize")
    assert (initialized["amount"], initialized["currency"]) == (1000, "KES")  # KES 10.00


def test_a_failed_first_payment_saves_nothing_and_refunds_nothing(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    url, reference = customer.start("m-fail")

    httpx.post(url, data={"method": "card", "result": "failed"})

    assert customer.gateway.finish_setup(reference=reference) is None
    assert billing_fakes.paystack.refunds == []


@pytest.mark.parametrize(
    ("currency", "amount"), [("NGN", 5000), ("GHS", 100), ("ZAR", 100), ("USD", 100)]
)
def test_the_verification_amount_is_small_in_each_currency(
    paystack: PaystackGateway, billing_fakes: BillingFakes, currency: str, amount: int
) -> None:
    Customer(paystack, "CUS_x", currency).start("m-amount")

    (initialized,) = _sent(billing_fakes, "/transaction/initialize")
    assert (initialized["amount"], initialized["currency"]) == (amount, currency)


def test_setup_in_a_currency_paystack_does_not_take_is_refused(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    customer.currency = "EUR"

    with pytest.raises(GatewayError, match="EUR"):
        customer.start("m-euro")
    assert billing_fakes.paystack.transactions == {}


def test_a_setup_reference_paystack_would_refuse_is_refused_here(customer: Customer) -> None:
    with pytest.raises(GatewayError, match="reference"):
        customer.start("bad/ref")


# --- charging -------------------------------------------------------------------------------------


def test_a_charge_succeeds_under_our_reference(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save()

    result = customer.charge(method, "DUKA-2026-000101")

    assert result == ChargeResult(
        status="succeeded",
        gateway_reference="DUKA-2026-000101",
        amount_minor=650000,
        currency="NGN",
    )
    (sent,) = _sent(billing_fakes, "/transaction/charge_authorization")
    assert (sent["authorization_code"], sent["email"], sent["reference"]) == (
        method.token,
        EMAIL,
        "DUKA-2026-000101",
    )
    assert billing_fakes.paystack.charges_for("DUKA-2026-000101") == [
        {
            "reference": "DUKA-2026-000101",
            "amount_minor": 650000,
            "currency": "NGN",
            "customer": customer.customer_id,
            "status": "success",
        }
    ]


def test_the_same_reference_twice_charges_once_and_answers_the_first_charge(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save()
    first = customer.charge(method, "DUKA-2026-000102")

    second = customer.charge(method, "DUKA-2026-000102")

    assert second == first
    assert len(billing_fakes.paystack.charges_for("DUKA-2026-000102")) == 1
    # Paystack refused the duplicate; Verify told what the first charge did.
    assert billing_fakes.requests("/paystack/transaction/verify/DUKA-2026-000102")


def test_a_retry_of_a_declined_charge_answers_the_decline(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save()
    billing_fakes.paystack.set_authorization_behaviour(method.token, "decline")

    first = customer.charge(method, "DUKA-2026-000103")
    again = customer.charge(method, "DUKA-2026-000103")

    assert (first.status, first.failure_code, first.failure_message) == (
        "failed",
        "insufficient_funds",
        "Insufficient Funds",
    )
    assert again == first
    assert len(billing_fakes.paystack.charges) == 2  # the setup's payment and this one


def test_a_paused_charge_requires_action_on_paystacks_page(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save()
    billing_fakes.paystack.set_authorization_behaviour(method.token, "pause")

    result = customer.charge(method, "DUKA-2026-000104")

    assert result.status == "requires_action"
    assert result.action_url.startswith(f"{billing_fakes.paystack_api_base}/checkout/")
    remote = customer.gateway.lookup_charge(reference="DUKA-2026-000104")
    assert remote is not None and remote.status == "pending"
    # The payer confirms on the page: the charge goes through.
    httpx.post(result.action_url, data={"result": "success"})
    remote = customer.gateway.lookup_charge(reference="DUKA-2026-000104")
    assert remote is not None and remote.status == "succeeded"
    assert len(billing_fakes.paystack.charges_for("DUKA-2026-000104")) == 1


def test_an_unknown_authorization_is_a_failed_charge(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    forgotten = SavedMethod(token="AUTH_gone", customer_id="CUS_x", kind="card", label="")

    result = customer.charge(forgotten, "DUKA-2026-000105")

    assert result.status == "failed"
    assert result.failure_message == "Invalid authorization code"
    assert billing_fakes.paystack.charges == []


def test_lookup_finds_a_charge_by_our_reference(customer: Customer) -> None:
    method = customer.save()
    customer.charge(method, "DUKA-2026-000106", amount_minor=250000)

    found = customer.gateway.lookup_charge(reference="DUKA-2026-000106")

    assert found is not None
    assert (found.reference, found.status, found.amount_minor, found.currency) == (
        "DUKA-2026-000106",
        "succeeded",
        250000,
        "NGN",
    )
    assert customer.gateway.lookup_charge(reference="DUKA-2026-999999") is None
    assert customer.gateway.lookup_charge(reference="../../customer") is None


# --- when Paystack cannot be used -----------------------------------------------------------------


def test_an_outage_is_a_gateway_error_and_a_retry_charges_once(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save()
    billing_fakes.paystack.fail_next(1, status=503)

    with pytest.raises(GatewayError, match="HTTP 503"):
        customer.charge(method, "DUKA-2026-000107")
    assert billing_fakes.paystack.charges_for("DUKA-2026-000107") == []

    assert customer.charge(method, "DUKA-2026-000107").status == "succeeded"
    assert len(billing_fakes.paystack.charges_for("DUKA-2026-000107")) == 1


def test_a_wrong_secret_key_is_a_gateway_error(billing_fakes: BillingFakes) -> None:
    gateway = PaystackGateway(
        secret_key="sk_test_someone_else", api_base=billing_fakes.paystack_api_base
    )

    with pytest.raises(GatewayError, match="401"):
        gateway.ensure_customer(email=EMAIL, name="Iya Shop", business_ref="biz-3")
    assert billing_fakes.paystack.customers == {}


def test_paystack_unreachable_is_a_gateway_error(billing_fakes: BillingFakes) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    gateway = PaystackGateway(
        secret_key=billing_fakes.paystack.secret_key, api_base=f"http://127.0.0.1:{port}"
    )

    with pytest.raises(GatewayError, match="reached"):
        gateway.lookup_charge(reference="DUKA-2026-000108")


def test_without_a_secret_key_paystack_is_not_configured(settings: Any) -> None:
    settings.PAYSTACK_SECRET_KEY = ""

    with pytest.raises(GatewayError, match="PAYSTACK_SECRET_KEY"):
        PaystackGateway.from_settings()


# --- webhooks -------------------------------------------------------------------------------------


def test_webhooks_of_a_setup_and_a_charge_are_parsed(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save(reference="m-hook")
    customer.charge(method, "DUKA-2026-000109", amount_minor=650000)

    setup, paid = (
        customer.gateway.parse_webhook(body=d.body, headers=d.headers)
        for d in billing_fakes.paystack.events("charge.success")
    )
    (refund,) = billing_fakes.paystack.events("refund.processed")

    assert (setup.kind, setup.reference) == ("setup_completed", "setup-m-hook")
    raw = billing_fakes.paystack.events("charge.success")[1].json()
    assert paid.kind == "payment_succeeded"
    assert paid.event_id == f"charge.success:{raw['data']['id']}"
    assert (paid.reference, paid.amount_minor, paid.currency) == ("DUKA-2026-000109", 650000, "NGN")
    assert paid.occurred_at > 0
    assert paid.raw_type == "charge.success"
    assert customer.gateway.parse_webhook(body=refund.body, headers=refund.headers).kind == (
        "ignored"
    )


def test_a_replayed_webhook_has_the_same_event_id(
    paystack: PaystackGateway, billing_fakes: BillingFakes
) -> None:
    delivery = billing_fakes.paystack.delivery(
        "charge.success", {"id": 77, "reference": "R7", "amount": 100, "currency": "NGN"}
    )

    first = paystack.parse_webhook(body=delivery.body, headers=delivery.headers)
    again = paystack.parse_webhook(body=delivery.body, headers=delivery.headers)

    assert first.event_id == again.event_id == "charge.success:77"


def test_a_charge_failed_event_is_a_failed_payment(
    paystack: PaystackGateway, billing_fakes: BillingFakes
) -> None:
    delivery = billing_fakes.paystack.delivery(
        "charge.failed",
        {
            "id": 78,
            "reference": "R8",
            "amount": 100,
            "currency": "GHS",
            "gateway_response": "Declined",
        },
    )

    event = paystack.parse_webhook(body=delivery.body, headers=delivery.headers)

    assert (event.kind, event.reference, event.failure_code, event.currency) == (
        "payment_failed",
        "R8",
        "declined",
        "GHS",
    )


def test_a_forged_webhook_is_refused(
    paystack: PaystackGateway, billing_fakes: BillingFakes
) -> None:
    genuine = billing_fakes.paystack.delivery("charge.success", {"id": 1, "reference": "R1"})
    forged = billing_fakes.paystack.forged(genuine)

    with pytest.raises(InvalidWebhook, match="signature"):
        paystack.parse_webhook(body=forged.body, headers=forged.headers)


def test_a_tampered_webhook_is_refused(
    paystack: PaystackGateway, billing_fakes: BillingFakes
) -> None:
    genuine = billing_fakes.paystack.delivery(
        "charge.success", {"id": 1, "reference": "R1", "amount": 100}
    )
    body = genuine.body.replace(b'"amount": 100', b'"amount": 100000')
    assert body != genuine.body

    with pytest.raises(InvalidWebhook):
        paystack.parse_webhook(body=body, headers=genuine.headers)


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-paystack-signature": ""}, {"x-paystack-signature": "é" * 128}],
    ids=["missing", "empty", "not-ascii"],
)
def test_a_webhook_without_a_valid_signature_header_is_refused(
    paystack: PaystackGateway, billing_fakes: BillingFakes, headers: dict[str, str]
) -> None:
    genuine = billing_fakes.paystack.delivery("charge.success", {"id": 1, "reference": "R1"})

    with pytest.raises(InvalidWebhook):
        paystack.parse_webhook(body=genuine.body, headers=headers)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"event": "charge.success"}', b'{"data": {}}', b"[" * 5000],
    ids=["broken", "array", "no-data", "no-event", "deep"],
)
def test_a_signed_body_that_is_not_an_event_is_refused(
    paystack: PaystackGateway, billing_fakes: BillingFakes, body: bytes
) -> None:
    with pytest.raises(InvalidWebhook):
        paystack.parse_webhook(body=body, headers=billing_fakes.paystack.sign(body))


# --- confirmation by Verify Transaction -----------------------------------------------------------


def test_confirm_agrees_with_a_true_webhook(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save()
    customer.charge(method, "DUKA-2026-000110")
    delivery = billing_fakes.paystack.events("charge.success")[-1]
    event = customer.gateway.parse_webhook(body=delivery.body, headers=delivery.headers)

    assert customer.gateway.confirm(event) == event


def test_a_success_webhook_that_verify_says_failed_becomes_a_failed_payment(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save()
    customer.charge(method, "DUKA-2026-000111")
    delivery = billing_fakes.paystack.events("charge.success")[-1]
    event = customer.gateway.parse_webhook(body=delivery.body, headers=delivery.headers)
    billing_fakes.paystack.set_transaction(
        "DUKA-2026-000111", status="failed", gateway_response="Do Not Honor"
    )

    confirmed = customer.gateway.confirm(event)

    assert (confirmed.kind, confirmed.failure_code) == ("payment_failed", "do_not_honor")
    assert confirmed.event_id == event.event_id


def test_confirm_takes_paystacks_amount_and_currency(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save()
    customer.charge(method, "DUKA-2026-000112", amount_minor=650000)
    delivery = billing_fakes.paystack.events("charge.success")[-1]
    event = customer.gateway.parse_webhook(body=delivery.body, headers=delivery.headers)
    billing_fakes.paystack.set_transaction("DUKA-2026-000112", amount=100, currency="USD")

    confirmed = customer.gateway.confirm(event)

    assert (confirmed.kind, confirmed.amount_minor, confirmed.currency) == (
        "payment_succeeded",
        100,
        "USD",
    )


def test_a_signed_webhook_for_a_transaction_paystack_does_not_know_is_invalid(
    paystack: PaystackGateway, billing_fakes: BillingFakes
) -> None:
    # Signed with the real key (a leaked key, or a test transaction from elsewhere): Verify is
    # what makes it harmless.
    delivery = billing_fakes.paystack.delivery(
        "charge.success", {"id": 9, "reference": "DUKA-2026-424242", "amount": 650000}
    )
    event = paystack.parse_webhook(body=delivery.body, headers=delivery.headers)

    with pytest.raises(InvalidWebhook, match="no transaction"):
        paystack.confirm(event)


def test_a_transaction_still_in_flight_is_confirmed_later(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save()
    customer.charge(method, "DUKA-2026-000113")
    delivery = billing_fakes.paystack.events("charge.success")[-1]
    event = customer.gateway.parse_webhook(body=delivery.body, headers=delivery.headers)
    billing_fakes.paystack.set_transaction("DUKA-2026-000113", status="ongoing")

    with pytest.raises(GatewayError, match="later"):
        customer.gateway.confirm(event)


def test_a_setup_webhook_after_the_refund_still_confirms_the_setup(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    customer.save(reference="m-late")  # finish_setup refunded it: Paystack says "reversed"
    delivery = billing_fakes.paystack.events("charge.success")[0]
    event = customer.gateway.parse_webhook(body=delivery.body, headers=delivery.headers)

    assert billing_fakes.paystack.transaction("setup-m-late")["status"] == "reversed"
    assert customer.gateway.confirm(event).kind == "setup_completed"


def test_an_ignored_event_is_not_verified(
    paystack: PaystackGateway, billing_fakes: BillingFakes
) -> None:
    delivery = billing_fakes.paystack.delivery("transfer.success", {"id": 5, "reference": "T5"})
    event = paystack.parse_webhook(body=delivery.body, headers=delivery.headers)

    assert paystack.confirm(event) is event
    assert billing_fakes.requests() == []
