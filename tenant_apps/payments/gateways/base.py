"""What every payment gateway adapter offers, in plain values (no models, no Django).

The payments services (``tenant_apps/payments/services/``) are the only caller. They store what
an adapter returns and decide what a result means for a sale; adapters only speak a provider's
wire format: they build requests, sign or verify, and translate answers into these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol


class Outcome(StrEnum):
    """What a provider says about a payment, reduced to what the till must do."""

    PENDING = "pending"  # asked, not yet answered: keep waiting, query later
    SUCCEEDED = "succeeded"  # money received
    FAILED = "failed"  # definitely not paid (cancelled, wrong PIN, insufficient funds…)
    # No answer we can trust (timeout, ambiguous status): not failed; query again, and let a
    # person decide after the deadline.
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Credentials:
    """One business's account at a provider; which keys mean what is up to the adapter."""

    base_url: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InitiateRequest:
    reference: str  # ours, unique per payment; providers echo it back
    amount: Decimal  # in major units of ``currency``
    currency: str
    callback_url: str  # where the provider posts the result (unguessable, per payment)
    payer: str = ""  # phone number (E.164, e.g. +254712345678), or a UPI VPA
    account_reference: str = ""  # what the payer sees (M-Pesa AccountReference, ≤ 12 chars)
    description: str = ""
    email: str = ""


@dataclass(frozen=True)
class ProviderResult:
    """An answer from a provider: what it means, the ids to keep, and the raw body."""

    outcome: Outcome
    provider_reference: str = ""  # e.g. CheckoutRequestID, Airtel transaction id
    receipt: str = ""  # e.g. MpesaReceiptNumber, airtel_money_id
    code: str = ""  # provider's result code, as text
    message: str = ""
    amount: Decimal | None = None
    payer: str = ""
    redirect_url: str = ""  # hosted card page / UPI intent link, when there is one
    # The currency the provider says ``amount`` is in, where it says so (card, UPI): the caller
    # compares amount and currency with what it asked for before giving value.
    currency: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


class GatewayError(Exception):
    """The provider could not be reached or refused the request itself (bad credentials,
    malformed request). Not a statement about whether the payer paid."""

    def __init__(self, message: str, *, code: str = "", retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


class CallbackRejected(Exception):
    """A callback that is not genuine or not understood: bad signature, bad body."""


class Acknowledgement(StrEnum):
    """What we tell a provider about a post it would otherwise send again."""

    ACCEPTED = "accepted"  # taken, or taken before (a retry)
    IGNORED = "ignored"  # genuine, but about nothing of ours


def plain_acknowledgement(ack: Acknowledgement) -> dict[str, Any]:
    """The body for providers that read only the status code (Airtel, card, UPI)."""
    return {"status": ack.value}


class Gateway(Protocol):
    name: str

    def initiate(self, creds: Credentials, request: InitiateRequest) -> ProviderResult: ...

    def query(self, creds: Credentials, provider_reference: str, reference: str) -> ProviderResult:
        """Asks the provider for a payment's status (used when a callback is late or lost)."""
        ...

    def parse_callback(
        self, creds: Credentials, body: bytes, headers: dict[str, str]
    ) -> ProviderResult:
        """Verifies (where the provider signs) and reads a callback; raises CallbackRejected."""
        ...

    def refund(
        self, creds: Credentials, *, receipt: str, amount: Decimal, reference: str
    ) -> ProviderResult: ...

    def acknowledgement(self, ack: Acknowledgement) -> dict[str, Any]:
        """The body the provider expects in our 200 answer to its post."""
        ...


class PayoutGateway(Protocol):
    """Adapters that can also send money to a payer (M-Pesa B2C): how part of a payment is
    given back where the provider's own refund (a reversal) only returns all of it."""

    def payout(
        self,
        creds: Credentials,
        *,
        phone: str,
        amount: Decimal,
        reference: str,
        result_url: str,
        timeout_url: str = "",
        remarks: str = "",
    ) -> ProviderResult: ...
