"""Cash, change, and the gateway registry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from moneyed import Money

from saas_platform.errors import ValidationFailed
from tenant_apps.payments.gateways.base import (
    CallbackRejected,
    Credentials,
    InitiateRequest,
    Outcome,
)
from tenant_apps.payments.gateways.cash import CashGateway, change_due
from tenant_apps.payments.gateways.registry import GATEWAYS, get_gateway


@pytest.mark.parametrize(
    ("tendered", "due", "change"),
    [("1000", "850.50", "149.50"), ("850.50", "850.50", "0.00"), ("0.10", "0.05", "0.05")],
)
def test_change_due(tendered, due, change):
    result = change_due(Money(Decimal(tendered), "KES"), Money(Decimal(due), "KES"))
    assert result == Money(Decimal(change), "KES")
    assert isinstance(result.amount, Decimal)


def test_tender_below_the_amount_due_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        change_due(Money(Decimal("500"), "KES"), Money(Decimal("500.01"), "KES"))
    assert caught.value.fields["tendered"][0]["code"] == "insufficient_tender"


def test_tender_in_another_currency_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        change_due(Money(Decimal("10"), "USD"), Money(Decimal("5"), "KES"))
    assert caught.value.fields["tendered"][0]["code"] == "currency_mismatch"


def test_cash_settles_at_once_and_has_no_callbacks():
    gateway = CashGateway()
    creds = Credentials(base_url="")
    request = InitiateRequest(
        reference="pay-k1", amount=Decimal("850.50"), currency="KES", callback_url=""
    )

    result = gateway.initiate(creds, request)

    assert (result.outcome, result.amount, result.provider_reference) == (
        Outcome.SUCCEEDED,
        Decimal("850.50"),
        "pay-k1",
    )
    assert gateway.query(creds, "pay-k1", "pay-k1").outcome is Outcome.SUCCEEDED
    refund = gateway.refund(creds, receipt="pay-k1", amount=Decimal("10"), reference="rf")
    assert refund.outcome is Outcome.SUCCEEDED
    with pytest.raises(CallbackRejected):
        gateway.parse_callback(creds, b"{}", {})


def test_registry_names_every_gateway():
    assert set(GATEWAYS) == {"mpesa", "airtel", "card", "upi", "cash"}
    for name in GATEWAYS:
        assert get_gateway(name).name == name


def test_an_unknown_gateway_is_a_validation_error():
    with pytest.raises(ValidationFailed) as caught:
        get_gateway("bitcoin")
    assert caught.value.fields["provider"][0]["code"] == "unknown_provider"
