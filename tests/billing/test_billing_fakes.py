"""The fakes themselves, on the wire: what they check (keys, idempotency, references), the shapes
they answer in, and webhooks signed as the gateways sign them — checked with each gateway's
own library, not with the fakes' code — and delivered to a configured URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest
import stripe
from pypaystack2 import PaystackClient

from devtools.billing_fakes import BillingFakes
from devtools.billing_fakes.stripe_fake import parse_form
from tests.support.waiting import wait_until


def _stripe(fakes: BillingFakes, key: str | None = None) -> httpx.Client:
    return httpx.Client(
        base_url=fakes.stripe_api_base,
        headers={"Authorization": f"Bearer {key or fakes.stripe.secret_key}"},
    )


def _paystack(fakes: BillingFakes, key: str | None = None) -> httpx.Client:
    return httpx.Client(
        base_url=fakes.paystack_api_base,
        headers={"Authorization": f"Bearer {key or fakes.paystack.secret_key}"},
    )


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Receiver:
    """A webhook endpoint: records what it receives and answers 200."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.server = make_server("127.0.0.1", 0, self, handler_class=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        self.received.append((headers, environ["wsgi.input"].read(length)))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    endpoint = Receiver()
    try:
        yield endpoint
    finally:
        endpoint.stop()


def _saved_stripe_card(fakes: BillingFakes, number: str = "4242424242424242") -> tuple[str, str]:
    """(customer id, payment method id) saved through the Checkout page."""
    with _stripe(fakes) as api:
        customer = api.post("/v1/customers", data={"email": "o@shop.test"}).json()["id"]
        session = api.post(
            "/v1/checkout/sessions",
            data={
                "mode": "setup",
                "customer": customer,
                "currency": "usd",
                "success_url": "http://localhost:8000/done",
            },
        ).json()
    httpx.post(session["url"], data={"card": number, "action": "save"})
    intent_id = fakes.stripe.sessions[session["id"]]["setup_intent"]
    return customer, fakes.stripe.setup_intents[intent_id]["payment_method"]


# --- the fake Stripe ------------------------------------------------------------------------------


def test_stripe_form_encoding_is_read_as_nested_values() -> None:
    assert parse_form(
        b"amount=100&metadata%5Breference%5D=INV-1&expand%5B0%5D=a&expand%5B1%5D=b&off_session=true"
    ) == {
        "amount": "100",
        "metadata": {"reference": "INV-1"},
        "expand": ["a", "b"],
        "off_session": "true",
    }


@pytest.mark.parametrize("key", ["", "sk_test_wrong"], ids=["none", "wrong"])
def test_stripe_wants_its_secret_key(billing_fakes: BillingFakes, key: str) -> None:
    headers = {"Authorization": f"Bearer {key}"} if key else {}

    answer = httpx.post(
        f"{billing_fakes.stripe_api_base}/v1/customers", data={"email": "a@b.c"}, headers=headers
    )

    assert answer.status_code == 401
    assert answer.json()["error"]["type"] == "invalid_request_error"
    assert billing_fakes.stripe.customers == {}


def test_stripe_also_takes_its_key_as_a_basic_auth_user(billing_fakes: BillingFakes) -> None:
    url = f"{billing_fakes.stripe_api_base}/v1/customers"

    right = httpx.post(url, data={"email": "a@b.c"}, auth=(billing_fakes.stripe.secret_key, ""))
    wrong = httpx.post(url, data={"email": "a@b.c"}, auth=("sk_test_wrong", ""))

    assert (right.status_code, wrong.status_code) == (200, 401)
    assert len(billing_fakes.stripe.customers) == 1


def test_stripe_replays_an_idempotent_request_and_refuses_the_key_with_other_params(
    billing_fakes: BillingFakes,
) -> None:
    customer, method = _saved_stripe_card(billing_fakes)
    params = {
        "amount": "1900",
        "currency": "usd",
        "customer": customer,
        "payment_method": method,
        "confirm": "true",
        "off_session": "true",
        "metadata[reference]": "INV-7",
    }
    with _stripe(billing_fakes) as api:
        first = api.post("/v1/payment_intents", data=params, headers={"Idempotency-Key": "INV-7"})
        again = api.post("/v1/payment_intents", data=params, headers={"Idempotency-Key": "INV-7"})
        other = api.post(
            "/v1/payment_intents",
            data={**params, "amount": "2900"},
            headers={"Idempotency-Key": "INV-7"},
        )

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 400
    assert other.json()["error"]["type"] == "idempotency_error"
    assert len(billing_fakes.stripe.charges) == 1


def test_stripe_answers_a_decline_with_its_card_error_shape(billing_fakes: BillingFakes) -> None:
    customer, method = _saved_stripe_card(billing_fakes, "4000000000000002")

    with _stripe(billing_fakes) as api:
        answer = api.post(
            "/v1/payment_intents",
            data={
                "amount": "500",
                "currency": "usd",
                "customer": customer,
                "payment_method": method,
                "confirm": "true",
                "off_session": "true",
            },
        )

    assert answer.status_code == 402
    error = answer.json()["error"]
    assert (error["type"], error["code"], error["decline_code"]) == (
        "card_error",
        "card_declined",
        "generic_decline",
    )
    assert error["message"] == "Your card was declined."
    assert error["payment_intent"]["status"] == "requires_payment_method"


def test_stripe_refuses_a_method_of_another_customer(billing_fakes: BillingFakes) -> None:
    _, method = _saved_stripe_card(billing_fakes)
    with _stripe(billing_fakes) as api:
        stranger = api.post("/v1/customers", data={"email": "x@y.z"}).json()["id"]
        answer = api.post(
            "/v1/payment_intents",
            data={
                "amount": "500",
                "currency": "usd",
                "customer": stranger,
                "payment_method": method,
            },
        )

    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "payment_method"
    assert billing_fakes.stripe.payment_intents == {}


def test_the_checkout_page_refuses_an_unknown_card_and_stays_open(
    billing_fakes: BillingFakes,
) -> None:
    with _stripe(billing_fakes) as api:
        customer = api.post("/v1/customers", data={"email": "o@shop.test"}).json()["id"]
        session = api.post(
            "/v1/checkout/sessions",
            data={
                "mode": "setup",
                "customer": customer,
                "currency": "usd",
                "success_url": "http://localhost:8000/done",
            },
        ).json()

    answer = httpx.post(session["url"], data={"card": "1234123412341234", "action": "save"})

    assert answer.status_code == 400
    assert "not one of the test cards" in answer.text
    assert billing_fakes.stripe.sessions[session["id"]]["status"] == "open"
    assert billing_fakes.stripe.payment_methods == {}
    assert httpx.get(f"{billing_fakes.url}/stripe/checkout/cs_test_unknown").status_code == 404


def test_stripe_events_are_signed_as_stripe_signs_them(billing_fakes: BillingFakes) -> None:
    _saved_stripe_card(billing_fakes)

    for body, headers in billing_fakes.stripe.outbox:
        # The stripe package's own check, with the endpoint secret: raises if it is wrong.
        stripe.WebhookSignature.verify_header(
            body.decode(), headers["Stripe-Signature"], billing_fakes.stripe.webhook_secret, 300
        )
    assert [d.json()["type"] for d in billing_fakes.stripe.outbox] == [
        "setup_intent.succeeded",
        "checkout.session.completed",
    ]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(
            billing_fakes.stripe.outbox[0].body.decode(),
            billing_fakes.stripe.outbox[0].headers["Stripe-Signature"],
            "whsec_another_endpoint",
            300,
        )


def test_an_outage_answers_500_in_stripes_shape_then_ends(billing_fakes: BillingFakes) -> None:
    billing_fakes.stripe.fail_next(1)

    with _stripe(billing_fakes) as api:
        down = api.post("/v1/customers", data={"email": "a@b.c"})
        up = api.post("/v1/customers", data={"email": "a@b.c"})

    assert (down.status_code, down.json()["error"]["type"]) == (500, "api_error")
    assert up.status_code == 200
    assert len(billing_fakes.stripe.customers) == 1


# --- the fake Paystack ----------------------------------------------------------------------------


def _paystack_authorization(fakes: BillingFakes, email: str = "o@shop.test") -> str:
    with _paystack(fakes) as api:
        started = api.post(
            "/transaction/initialize", json={"email": email, "amount": 5000, "reference": "s-1"}
        ).json()
    httpx.post(started["data"]["authorization_url"], data={"method": "card", "result": "success"})
    return str(fakes.paystack.transactions["s-1"]["authorization_code"])


def test_paystack_wants_its_secret_key(billing_fakes: BillingFakes) -> None:
    with _paystack(billing_fakes, "sk_test_wrong") as api:
        answer = api.post("/customer", json={"email": "a@b.c"})

    assert answer.status_code == 401
    assert answer.json() == {"status": False, "message": "Invalid key"}
    assert billing_fakes.paystack.customers == {}


def test_paystack_answers_in_its_envelope_with_amounts_in_subunits(
    billing_fakes: BillingFakes,
) -> None:
    _paystack_authorization(billing_fakes)

    with _paystack(billing_fakes) as api:
        verified = api.get("/transaction/verify/s-1").json()
        missing = api.get("/transaction/verify/nothing-here")

    assert (verified["status"], verified["message"]) == (True, "Verification successful")
    data = verified["data"]
    assert (data["status"], data["amount"], data["currency"]) == ("success", 5000, "NGN")
    assert data["authorization"]["reusable"] is True
    assert data["customer"]["email"] == "o@shop.test"
    assert missing.status_code == 400
    assert missing.json()["status"] is False


def test_paystack_refuses_a_duplicate_reference(billing_fakes: BillingFakes) -> None:
    code = _paystack_authorization(billing_fakes)
    charge = {"email": "o@shop.test", "amount": 100, "authorization_code": code, "reference": "I-1"}

    with _paystack(billing_fakes) as api:
        first = api.post("/transaction/charge_authorization", json=charge)
        again = api.post("/transaction/charge_authorization", json=charge)
        setup_again = api.post(
            "/transaction/initialize",
            json={"email": "o@shop.test", "amount": 50, "reference": "s-1"},
        )

    assert first.json()["data"]["status"] == "success"
    assert again.status_code == setup_again.status_code == 400
    assert again.json() == {"status": False, "message": "Duplicate Transaction Reference"}
    assert len(billing_fakes.paystack.charges_for("I-1")) == 1


def test_paystack_charges_an_authorization_only_for_its_own_email(
    billing_fakes: BillingFakes,
) -> None:
    code = _paystack_authorization(billing_fakes)

    with _paystack(billing_fakes) as api:
        answer = api.post(
            "/transaction/charge_authorization",
            json={"email": "thief@x.test", "amount": 100, "authorization_code": code},
        )

    assert answer.status_code == 400
    assert [c["reference"] for c in billing_fakes.paystack.charges] == ["s-1"]


def test_paystack_refunds_a_transaction_once(billing_fakes: BillingFakes) -> None:
    _paystack_authorization(billing_fakes)

    with _paystack(billing_fakes) as api:
        first = api.post("/refund", json={"transaction": "s-1"})
        again = api.post("/refund", json={"transaction": "s-1"})

    assert first.json()["status"] is True
    assert again.status_code == 400
    assert "fully reversed" in again.json()["message"]
    assert len(billing_fakes.paystack.refunds) == 1


def test_paystack_events_are_signed_as_paystack_signs_them(billing_fakes: BillingFakes) -> None:
    _paystack_authorization(billing_fakes)
    (delivery,) = billing_fakes.paystack.events("charge.success")

    # pypaystack2's own check, keyed by the secret key.
    client = PaystackClient(secret_key=billing_fakes.paystack.secret_key)
    assert client.is_verified_webhook_payload(
        delivery.body, delivery.headers["x-paystack-signature"]
    )
    assert not PaystackClient(secret_key="sk_test_other").is_verified_webhook_payload(
        delivery.body, delivery.headers["x-paystack-signature"]
    )
    assert delivery.json()["data"]["reference"] == "s-1"


# --- delivery -------------------------------------------------------------------------------------


def test_webhooks_are_posted_to_the_configured_url(
    billing_fakes: BillingFakes, receiver: Receiver
) -> None:
    billing_fakes.stripe.webhook_url = receiver.url
    billing_fakes.paystack.webhook_url = receiver.url

    _saved_stripe_card(billing_fakes)
    _paystack_authorization(billing_fakes)

    outbox = [*billing_fakes.stripe.outbox, *billing_fakes.paystack.outbox]
    assert wait_until(lambda: len(receiver.received) == len(outbox), timeout=10)
    assert {body for _, body in receiver.received} == {d.body for d in outbox}
    signatures = {
        h.get("stripe-signature") or h.get("x-paystack-signature") for h, _ in receiver.received
    }
    assert signatures == {
        d.headers.get("Stripe-Signature") or d.headers.get("x-paystack-signature") for d in outbox
    }
    assert wait_until(lambda: len(billing_fakes.stripe.delivered) == 2, timeout=10)
    assert {d["status"] for d in billing_fakes.stripe.delivered} == {200}
