"""The one small interface every billing gateway implements, and the values it speaks in.

Amounts cross this boundary in minor units of the currency (int), as both gateways count them.
A gateway never reads or writes our tables: the billing services do, from what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ChargeStatus = Literal["succeeded", "failed", "pending", "requires_action"]


class GatewayError(Exception):
    """The gateway could not be reached or answered something we cannot use. The caller may
    retry the same call with the same reference/idempotency key: it is safe."""


class InvalidWebhook(Exception):
    """A webhook that is malformed, forged (bad signature) or stale: answer 400, change nothing."""


@dataclass(frozen=True)
class SetupSession:
    """Where to send the business's owner to save a payment method (gateway-hosted page)."""

    url: str
    reference: str  # Stripe: the Checkout Session id; Paystack: the transaction reference


@dataclass(frozen=True)
class SavedMethod:
    """A payment method saved at the gateway, usable for off-session charges."""

    token: str  # Stripe: PaymentMethod id (pm_…); Paystack: authorization_code (AUTH_…)
    customer_id: str  # Stripe: cus_…; Paystack: customer_code (CUS_…)
    kind: str  # "card", "mobile_money", …
    label: str  # what the owner recognises: "Visa •••• 4242", "M-Pesa •••• 0123"


@dataclass(frozen=True)
class ChargeResult:
    status: ChargeStatus
    gateway_reference: str  # Stripe: PaymentIntent id; Paystack: our reference (echoed)
    amount_minor: int
    currency: str
    failure_code: str = ""
    failure_message: str = ""
    action_url: str = ""  # requires_action: where the payer confirms (3-D Secure, bank)


@dataclass(frozen=True)
class RemoteCharge:
    """The gateway's own record of a charge we made under ``reference`` (reconciliation)."""

    reference: str
    status: ChargeStatus
    amount_minor: int
    currency: str


@dataclass(frozen=True)
class WebhookEvent:
    """A verified webhook, reduced to what billing acts on. ``kind`` is one of:
    ``payment_succeeded``, ``payment_failed``, ``setup_completed``, ``ignored``."""

    gateway: str
    event_id: str  # unique per gateway; Paystack has none, so the adapter derives one
    kind: str
    occurred_at: float  # unix seconds, as the gateway stamped it (ordering)
    reference: str = ""  # our charge reference (invoice reference) or setup reference
    gateway_reference: str = ""
    amount_minor: int = 0
    currency: str = ""
    failure_code: str = ""
    raw_type: str = ""  # the gateway's own event type ("payment_intent.succeeded")
    payload: dict[str, Any] = field(default_factory=dict)


class BillingGateway(Protocol):
    name: str  # "stripe" | "paystack"

    def ensure_customer(self, *, email: str, name: str, business_ref: str) -> str:
        """The gateway's customer id for a business (creates one; idempotent on business_ref)."""
        ...

    def start_setup(
        self, *, customer_id: str, email: str, currency: str, reference: str, return_url: str
    ) -> SetupSession:
        """A hosted page where the owner saves a card (Stripe Checkout in setup mode) or makes
        the first payment that saves an authorization (Paystack Initialize Transaction)."""
        ...

    def finish_setup(self, *, reference: str) -> SavedMethod | None:
        """The method saved through the setup ``reference`` (None while not completed)."""
        ...

    def charge(
        self,
        *,
        customer_id: str,
        method_token: str,
        email: str,
        amount_minor: int,
        currency: str,
        reference: str,
        description: str,
    ) -> ChargeResult:
        """Charges a saved method off-session. ``reference`` is the idempotency key: the same
        reference twice charges once and answers the first charge's result."""
        ...

    def lookup_charge(self, *, reference: str) -> RemoteCharge | None:
        """What the gateway holds for a charge under ``reference`` (None: no such charge)."""
        ...

    def parse_webhook(self, *, body: bytes, headers: dict[str, str]) -> WebhookEvent:
        """Verifies the signature (and freshness where the gateway stamps time) and parses;
        raises ``InvalidWebhook``. Does not call the gateway."""
        ...

    def confirm(self, event: WebhookEvent) -> WebhookEvent:
        """Confirms an event with the gateway before it is acted on where the gateway asks for
        it (Paystack: Verify Transaction); returns the event as confirmed."""
        ...
