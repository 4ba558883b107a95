"""Which gateway bills a business (placeholder until the adapters land; replaced on merge)."""

from __future__ import annotations

from billing.gateways.base import BillingGateway

PAYSTACK_CURRENCIES = frozenset({"NGN", "GHS", "ZAR", "KES"})


def gateway_named(name: str) -> BillingGateway:
    raise LookupError(f"no billing gateway {name!r} yet")


def gateway_for_currency(currency: str) -> BillingGateway:
    return gateway_named("paystack" if currency in PAYSTACK_CURRENCIES else "stripe")
