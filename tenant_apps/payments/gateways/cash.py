"""Cash at the till: paid the moment the cashier records it; nothing to ask anyone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from moneyed import Money

from saas_platform.errors import ValidationFailed
from tenant_apps.payments.gateways.base import (
    Acknowledgement,
    CallbackRejected,
    Credentials,
    InitiateRequest,
    Outcome,
    ProviderResult,
    plain_acknowledgement,
)


def change_due(tendered: Money, due: Money) -> Money:
    """What the cashier hands back; refuses a tender that does not cover the amount due."""
    if tendered.currency != due.currency:
        raise ValidationFailed.for_field(
            "tendered",
            "currency_mismatch",
            f"Cash was tendered in {tendered.currency}, but {due.currency} is due.",
        )
    if tendered.amount < due.amount:
        raise ValidationFailed.for_field(
            "tendered",
            "insufficient_tender",
            f"{tendered} does not cover the {due} due.",
        )
    return Money(tendered.amount - due.amount, due.currency)


class CashGateway:
    name = "cash"

    def initiate(self, creds: Credentials, request: InitiateRequest) -> ProviderResult:
        return ProviderResult(
            outcome=Outcome.SUCCEEDED,
            provider_reference=request.reference,
            receipt=request.reference,
            amount=request.amount,
            currency=request.currency,
        )

    def query(self, creds: Credentials, provider_reference: str, reference: str) -> ProviderResult:
        return ProviderResult(
            outcome=Outcome.SUCCEEDED, provider_reference=provider_reference or reference
        )

    def acknowledgement(self, ack: Acknowledgement) -> dict[str, Any]:
        return plain_acknowledgement(ack)

    def parse_callback(
        self, creds: Credentials, body: bytes, headers: dict[str, str]
    ) -> ProviderResult:
        raise CallbackRejected("Cash has no callbacks.")

    def refund(
        self, creds: Credentials, *, receipt: str, amount: Decimal, reference: str
    ) -> ProviderResult:
        return ProviderResult(
            outcome=Outcome.SUCCEEDED, provider_reference=reference, receipt=receipt, amount=amount
        )
