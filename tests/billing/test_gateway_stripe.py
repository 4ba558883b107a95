"""The Stripe adapter against the fake Stripe, over real HTTP with the real ``stripe`` package:
customers, a card saved through the hosted Checkout page, off-session charges keyed by our
reference, lookups, and webhook verification."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

import httpx
import pytest

from billing.gateways.base import ChargeResult, GatewayError, InvalidWebhook, SavedMethod
from billing.gateways.stripe_gateway import StripeGateway
from devtools.billing_fakes import BillingFakes, Delivery

RETURN_URL = "http://localhost:8000/billing/method/done?session={CHECKOUT_SESSION_ID}"
EMAIL = "owner@shop.test"


@dataclass
class Customer:
    gateway: StripeGateway
    customer_id: str

    def save_card(self, number: str) -> SavedMethod:
        session = self.gateway.start_setup(
            customer_id=self.customer_id,
            email=EMAIL,
            currency="USD",
            reference=f"setup-{number[-4:]}",
            return_url=RETURN_URL,
        )
        saved = httpx.post(session.url, data={"card": number, "action": "save"})
        assert saved.status_code == 302
        method = self.gateway.finish_setup(reference=session.reference)
        assert method is not None
        return method

    def charge(self, method: SavedMethod, reference: str, amount_minor: int = 4900) -> ChargeResult:
        return self.gateway.charge(
            customer_id=self.customer_id,
            method_token=method.token,
            email=EMAIL,
            amount_minor=amount_minor,
            currency="USD",
            reference=reference,
            description="Duka Growth, May 2026",
        )


@pytest.fixture
def stripe_gateway(billing_fakes: BillingFakes) -> StripeGateway:
    return StripeGateway.from_settings()


@pytest.fixture
def customer(stripe_gateway: StripeGateway) -> Customer:
    return Customer(
        stripe_gateway,
        stripe_gateway.ensure_customer(email=EMAIL, name="Mama Shop", business_ref="biz-7"),
    )


def _form(request: dict[str, object]) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(str(request["body"])).items()}


# --- customers ------------------------------------------------------------------------------------


def test_a_business_gets_one_customer(
    stripe_gateway: StripeGateway, billing_fakes: BillingFakes
) -> None:
    first = stripe_gateway.ensure_customer(email=EMAIL, name="Mama Shop", business_ref="biz-7")
    again = stripe_gateway.ensure_customer(email=EMAIL, name="Mama Shop", business_ref="biz-7")
    other = stripe_gateway.ensure_customer(email=EMAIL, name="Second Shop", business_ref="biz-8")

    assert first == again != other
    assert first.startswith("cus_")
    customers = billing_fakes.stripe.customers
    assert sorted(c["metadata"]["business"] for c in customers.values()) == ["biz-7", "biz-8"]
    assert customers[first]["email"] == EMAIL


# --- saving a card --------------------------------------------------------------------------------


def test_a_card_is_saved_through_the_hosted_checkout_page(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    session = customer.gateway.start_setup(
        customer_id=customer.customer_id,
        email=EMAIL,
        currency="USD",
        reference="setup-001",
        return_url=RETURN_URL,
    )
    assert session.url.startswith(f"{billing_fakes.url}/stripe/checkout/")
    assert session.reference.startswith("cs_test_")
    sent = _form(billing_fakes.requests("/v1/checkout/sessions")[0])
    assert sent["mode"] == "setup"
    assert sent["customer"] == customer.customer_id
    assert sent["currency"] == "usd"
    assert sent["metadata[reference]"] == "setup-001"
    # Not finished yet: nothing saved.
    assert customer.gateway.finish_setup(reference=session.reference) is None

    page = httpx.get(session.url)
    assert page.status_code == 200
    assert 'value="4242424242424242"' in page.text
    saved = httpx.post(session.url, data={"card": "4242424242424242", "action": "save"})

    assert saved.status_code == 302
    assert saved.headers["location"] == RETURN_URL.replace(
        "{CHECKOUT_SESSION_ID}", session.reference
    )
    method = customer.gateway.finish_setup(reference=session.reference)
    assert method is not None
    assert method.token.startswith("pm_")
    assert method.customer_id == customer.customer_id
    assert method.kind == "card"
    assert method.label == "Visa •••• 4242"


def test_a_cancelled_checkout_saves_nothing(customer: Customer) -> None:
    session = customer.gateway.start_setup(
        customer_id=customer.customer_id,
        email=EMAIL,
        currency="USD",
        reference="setup-002",
        return_url=RETURN_URL,
    )
    back = httpx.post(session.url, data={"action": "cancel"})

    assert back.status_code == 302
    assert customer.gateway.finish_setup(reference=session.reference) is None


def test_an_unknown_setup_session_is_a_gateway_error(customer: Customer) -> None:
    with pytest.raises(GatewayError, match=r"No such checkout\.session"):
        customer.gateway.finish_setup(reference="cs_test_nothing")


# --- charging -------------------------------------------------------------------------------------


def test_a_charge_succeeds_off_session_under_our_reference(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save_card("4242424242424242")

    result = customer.charge(method, "DUKA-2026-000001")

    assert result.status == "succeeded"
    assert result.gateway_reference.startswith("pi_")
    assert (result.amount_minor, result.currency) == (4900, "USD")
    sent = billing_fakes.requests("/v1/payment_intents")[0]
    assert sent["headers"]["idempotency-key"] == "DUKA-2026-000001"
    form = _form(sent)
    assert form["off_session"] == form["confirm"] == "true"
    assert form["payment_method"] == method.token
    assert form["customer"] == customer.customer_id
    assert form["metadata[reference]"] == "DUKA-2026-000001"
    assert billing_fakes.stripe.charges_for("DUKA-2026-000001") == [
        {
            "reference": "DUKA-2026-000001",
            "amount_minor": 4900,
            "currency": "USD",
            "customer": customer.customer_id,
            "gateway_reference": result.gateway_reference,
            "status": "succeeded",
        }
    ]


def test_the_same_reference_twice_charges_once_and_answers_the_first_charge(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save_card("4242424242424242")

    first = customer.charge(method, "DUKA-2026-000002")
    second = customer.charge(method, "DUKA-2026-000002")

    assert second == first
    assert len(billing_fakes.stripe.charges_for("DUKA-2026-000002")) == 1
    assert len(billing_fakes.stripe.payment_intents) == 1


def test_the_same_reference_for_another_amount_is_refused_and_charges_nothing_more(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save_card("4242424242424242")
    customer.charge(method, "DUKA-2026-000003", amount_minor=4900)

    with pytest.raises(GatewayError, match="same parameters"):
        customer.charge(method, "DUKA-2026-000003", amount_minor=9900)

    assert [c["amount_minor"] for c in billing_fakes.stripe.charges] == [4900]


def test_a_card_that_declines_fails_with_the_decline_code(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save_card("4000000000000002")

    result = customer.charge(method, "DUKA-2026-000004")

    assert result.status == "failed"
    assert result.failure_code == "generic_decline"
    assert result.failure_message == "Your card was declined."
    assert result.gateway_reference.startswith("pi_")
    assert [c["status"] for c in billing_fakes.stripe.charges] == ["failed"]


def test_the_decline_code_is_the_banks(customer: Customer, billing_fakes: BillingFakes) -> None:
    method = customer.save_card("4242424242424242")
    billing_fakes.stripe.set_method_behaviour(
        method.token, "decline", decline_code="insufficient_funds"
    )

    result = customer.charge(method, "DUKA-2026-000005")

    assert (result.status, result.failure_code) == ("failed", "insufficient_funds")
    # Replayed under the same key: the same decline, not a second attempt.
    assert customer.charge(method, "DUKA-2026-000005") == result
    assert len(billing_fakes.stripe.charges) == 1


def test_a_card_that_wants_authentication_requires_action(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save_card("4000002760003184")

    result = customer.charge(method, "DUKA-2026-000006")

    assert result.status == "requires_action"
    assert result.failure_code == "authentication_required"
    assert result.gateway_reference.startswith("pi_")
    assert [c["status"] for c in billing_fakes.stripe.charges] == ["requires_action"]


def test_lookup_finds_the_charge_by_our_reference(customer: Customer) -> None:
    method = customer.save_card("4242424242424242")
    customer.charge(method, "DUKA-2026-000007", amount_minor=14900)

    found = customer.gateway.lookup_charge(reference="DUKA-2026-000007")

    assert found is not None
    assert (found.reference, found.status, found.amount_minor, found.currency) == (
        "DUKA-2026-000007",
        "succeeded",
        14900,
        "USD",
    )
    assert customer.gateway.lookup_charge(reference="DUKA-2026-999999") is None
    # A quote in a reference cannot widen the search.
    assert customer.gateway.lookup_charge(reference="x' OR metadata['reference']:'") is None


def test_a_declined_charge_looks_up_as_failed(customer: Customer) -> None:
    method = customer.save_card("4000000000000002")
    customer.charge(method, "DUKA-2026-000008")

    found = customer.gateway.lookup_charge(reference="DUKA-2026-000008")

    assert found is not None
    assert found.status == "failed"


# --- when Stripe cannot be used -------------------------------------------------------------------


def test_an_outage_is_a_gateway_error_and_a_retry_charges_once(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    method = customer.save_card("4242424242424242")
    billing_fakes.stripe.fail_next(2, status=500)  # the call and the package's own retry

    with pytest.raises(GatewayError, match="HTTP 500"):
        customer.charge(method, "DUKA-2026-000009")
    assert billing_fakes.stripe.charges == []

    assert customer.charge(method, "DUKA-2026-000009").status == "succeeded"
    assert len(billing_fakes.stripe.charges_for("DUKA-2026-000009")) == 1


def test_a_wrong_secret_key_is_a_gateway_error(billing_fakes: BillingFakes) -> None:
    gateway = StripeGateway(
        secret_key="sk_test_someone_else",
        webhook_secret=billing_fakes.stripe.webhook_secret,
        api_base=billing_fakes.stripe_api_base,
    )

    with pytest.raises(GatewayError, match="Invalid API Key"):
        gateway.ensure_customer(email=EMAIL, name="Mama Shop", business_ref="biz-7")
    assert billing_fakes.stripe.customers == {}


def test_stripe_unreachable_is_a_gateway_error(billing_fakes: BillingFakes) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nobody listens there now
    gateway = StripeGateway(
        secret_key=billing_fakes.stripe.secret_key,
        webhook_secret=billing_fakes.stripe.webhook_secret,
        api_base=f"http://127.0.0.1:{port}",
        timeout=5,
    )

    with pytest.raises(GatewayError):
        gateway.lookup_charge(reference="DUKA-2026-000010")


def test_without_a_secret_key_stripe_is_not_configured(settings: object) -> None:
    settings.STRIPE_SECRET_KEY = ""  # type: ignore[attr-defined]

    with pytest.raises(GatewayError, match="STRIPE_SECRET_KEY"):
        StripeGateway.from_settings()


# --- webhooks -------------------------------------------------------------------------------------


def test_webhooks_of_a_setup_and_charges_are_parsed(
    customer: Customer, billing_fakes: BillingFakes
) -> None:
    card = customer.save_card("4242424242424242")
    customer.charge(card, "DUKA-2026-000011", amount_minor=1900)
    declining = customer.save_card("4000000000000002")
    customer.charge(declining, "DUKA-2026-000012", amount_minor=1900)
    fake = billing_fakes.stripe

    setups = [
        customer.gateway.parse_webhook(body=d.body, headers=d.headers)
        for d in fake.events("checkout.session.completed")
    ]
    (paid,) = [
        customer.gateway.parse_webhook(body=d.body, headers=d.headers)
        for d in fake.events("payment_intent.succeeded")
    ]
    (failed,) = [
        customer.gateway.parse_webhook(body=d.body, headers=d.headers)
        for d in fake.events("payment_intent.payment_failed")
    ]
    created = fake.events("payment_intent.created")[0]

    assert {(e.kind, e.gateway) for e in setups} == {("setup_completed", "stripe")}
    assert sorted(e.reference for e in setups) == sorted(fake.sessions)
    raw = fake.events("payment_intent.succeeded")[0].json()
    assert paid.kind == "payment_succeeded"
    assert paid.event_id == raw["id"]
    assert paid.occurred_at == raw["created"]
    assert paid.raw_type == "payment_intent.succeeded"
    assert (paid.reference, paid.amount_minor, paid.currency) == ("DUKA-2026-000011", 1900, "USD")
    assert paid.gateway_reference == raw["data"]["object"]["id"]
    assert (failed.kind, failed.reference, failed.failure_code) == (
        "payment_failed",
        "DUKA-2026-000012",
        "generic_decline",
    )
    assert customer.gateway.parse_webhook(body=created.body, headers=created.headers).kind == (
        "ignored"
    )
    # Stripe needs no confirmation: the signed event stands.
    assert customer.gateway.confirm(paid) is paid


def test_a_replayed_webhook_parses_to_the_same_event_id(
    stripe_gateway: StripeGateway, billing_fakes: BillingFakes
) -> None:
    delivery = billing_fakes.stripe.delivery(
        "payment_intent.succeeded",
        {"id": "pi_1", "amount_received": 500, "currency": "usd", "metadata": {"reference": "R1"}},
    )

    first = stripe_gateway.parse_webhook(body=delivery.body, headers=delivery.headers)
    again = stripe_gateway.parse_webhook(body=delivery.body, headers=delivery.headers)

    assert first.event_id == again.event_id
    assert first == again


def test_a_checkout_outside_setup_mode_is_ignored(
    stripe_gateway: StripeGateway, billing_fakes: BillingFakes
) -> None:
    delivery = billing_fakes.stripe.delivery(
        "checkout.session.completed", {"id": "cs_test_pay", "mode": "payment"}
    )

    assert stripe_gateway.parse_webhook(body=delivery.body, headers=delivery.headers).kind == (
        "ignored"
    )


def _succeeded(fakes: BillingFakes, created: int | None = None) -> Delivery:
    return fakes.stripe.delivery(
        "payment_intent.succeeded",
        {"id": "pi_2", "amount_received": 700, "currency": "usd", "metadata": {"reference": "R2"}},
        created=created,
    )


def test_a_forged_webhook_is_refused(
    stripe_gateway: StripeGateway, billing_fakes: BillingFakes
) -> None:
    forged = billing_fakes.stripe.forged(_succeeded(billing_fakes))

    with pytest.raises(InvalidWebhook, match="signature"):
        stripe_gateway.parse_webhook(body=forged.body, headers=forged.headers)


def test_a_tampered_webhook_is_refused(
    stripe_gateway: StripeGateway, billing_fakes: BillingFakes
) -> None:
    genuine = _succeeded(billing_fakes)
    body = genuine.body.replace(b'"amount_received": 700', b'"amount_received": 70000')
    assert body != genuine.body

    with pytest.raises(InvalidWebhook):
        stripe_gateway.parse_webhook(body=body, headers=genuine.headers)


def test_a_stale_webhook_is_refused_and_a_recent_one_is_not(
    stripe_gateway: StripeGateway, billing_fakes: BillingFakes
) -> None:
    genuine = _succeeded(billing_fakes)
    stale = billing_fakes.stripe.stale(genuine, age=301)
    recent = billing_fakes.stripe.stale(genuine, age=290)

    with pytest.raises(InvalidWebhook):
        stripe_gateway.parse_webhook(body=stale.body, headers=stale.headers)
    assert stripe_gateway.parse_webhook(body=recent.body, headers=recent.headers).reference == (
        "R2"
    )


def test_an_old_event_freshly_signed_keeps_its_own_time(
    stripe_gateway: StripeGateway, billing_fakes: BillingFakes
) -> None:
    # Stripe retries for days: the signature is fresh, the event's time is when it happened.
    an_hour_ago = int(time.time()) - 3600
    delivery = _succeeded(billing_fakes, created=an_hour_ago)

    event = stripe_gateway.parse_webhook(body=delivery.body, headers=delivery.headers)

    assert event.occurred_at == an_hour_ago


def test_a_webhook_without_the_signature_header_is_refused(
    stripe_gateway: StripeGateway, billing_fakes: BillingFakes
) -> None:
    genuine = _succeeded(billing_fakes)

    with pytest.raises(InvalidWebhook, match="missing"):
        stripe_gateway.parse_webhook(
            body=genuine.body, headers={"Content-Type": "application/json"}
        )
    with pytest.raises(InvalidWebhook):
        stripe_gateway.parse_webhook(body=genuine.body, headers={"Stripe-Signature": "t=,v1="})


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b'"an event"',
        b'{"id": "evt_1", "type": "payment_intent.succeeded"}',
        b'{"id": "evt_1", "type": "x", "created": "yesterday", "data": {"object": {}}}',
        b"\xff\xfe not text",
        b"[" * 5000 + b"]" * 5000,
    ],
    ids=["broken", "array", "string", "no-data", "bad-created", "not-utf8", "deep"],
)
def test_a_signed_body_that_is_not_an_event_is_refused(
    stripe_gateway: StripeGateway, billing_fakes: BillingFakes, body: bytes
) -> None:
    headers = billing_fakes.stripe.sign(body)

    with pytest.raises(InvalidWebhook):
        stripe_gateway.parse_webhook(body=body, headers=headers)


def test_header_names_are_matched_whatever_their_case(
    stripe_gateway: StripeGateway, billing_fakes: BillingFakes
) -> None:
    genuine = _succeeded(billing_fakes)
    headers = {"stripe-signature": genuine.headers["Stripe-Signature"]}

    event = stripe_gateway.parse_webhook(body=genuine.body, headers=headers)

    assert json.loads(genuine.body)["id"] == event.event_id
