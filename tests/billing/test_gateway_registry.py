"""Which gateway collects from a business: Paystack for NGN, GHS, ZAR and KES, Stripe for every
other currency; each made from the platform's settings."""

from __future__ import annotations

import pytest

from billing.gateways.paystack_gateway import PaystackGateway
from billing.gateways.registry import gateway_for_currency, gateway_named
from billing.gateways.stripe_gateway import StripeGateway
from devtools.billing_fakes import BillingFakes


@pytest.mark.parametrize(
    ("currency", "kind"),
    [
        ("NGN", PaystackGateway),
        ("GHS", PaystackGateway),
        ("ZAR", PaystackGateway),
        ("KES", PaystackGateway),
        ("kes", PaystackGateway),
        ("USD", StripeGateway),
        ("INR", StripeGateway),
        ("EUR", StripeGateway),
    ],
)
def test_the_gateway_follows_the_currency(
    billing_fakes: BillingFakes, currency: str, kind: type
) -> None:
    gateway = gateway_for_currency(currency)

    assert isinstance(gateway, kind)
    assert gateway.name == ("paystack" if kind is PaystackGateway else "stripe")


def test_gateways_by_name_use_the_platforms_settings(billing_fakes: BillingFakes) -> None:
    stripe_customer = gateway_named("stripe").ensure_customer(
        email="o@shop.test", name="Shop", business_ref="biz-1"
    )
    paystack_customer = gateway_named("paystack").ensure_customer(
        email="o@shop.test", name="Shop", business_ref="biz-1"
    )

    assert list(billing_fakes.stripe.customers) == [stripe_customer]
    assert [c["customer_code"] for c in billing_fakes.paystack.customers.values()] == [
        paystack_customer
    ]


def test_an_unknown_gateway_name_is_refused() -> None:
    with pytest.raises(KeyError, match="flutterwave"):
        gateway_named("flutterwave")
