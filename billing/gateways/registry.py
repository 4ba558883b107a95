"""Which gateway collects from a business: Paystack where it is the local way to pay (Nigeria,
Ghana, South Africa, Kenya — cards and mobile money), Stripe everywhere else.

Adapters are made afresh from settings on each call: they are cheap, and tests that point the
settings at the fakes see the change at once.
"""

from __future__ import annotations

from collections.abc import Callable

from billing.gateways.base import BillingGateway
from billing.gateways.paystack_gateway import PaystackGateway
from billing.gateways.stripe_gateway import StripeGateway

PAYSTACK_CURRENCIES = frozenset({"NGN", "GHS", "ZAR", "KES"})

_GATEWAYS: dict[str, Callable[[], BillingGateway]] = {
    "stripe": StripeGateway.from_settings,
    "paystack": PaystackGateway.from_settings,
}

GATEWAY_NAMES = tuple(_GATEWAYS)


def gateway_name_for_currency(currency: str) -> str:
    return "paystack" if currency.upper() in PAYSTACK_CURRENCIES else "stripe"


def gateway_for_currency(currency: str) -> BillingGateway:
    return gateway_named(gateway_name_for_currency(currency))


def gateway_named(name: str) -> BillingGateway:
    """The gateway a subscription (or a webhook's URL) names; ``KeyError`` for any other name."""
    try:
        make = _GATEWAYS[name]
    except KeyError:
        raise KeyError(f"No billing gateway named {name!r}.") from None
    return make()
