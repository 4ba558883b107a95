"""Loyalty points: earned on spend (rounded down), redeemed only when there are enough."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from saas_platform.errors import Conflict, ValidationFailed
from saas_platform.money import money
from shared_apps.tenants.models import Tenant
from tenant_apps.customers.models import Customer, LoyaltyEntry, LoyaltyReason
from tenant_apps.customers.services import (
    loyalty_earn,
    loyalty_redeem,
    loyalty_reverse,
    loyalty_settings_set,
    loyalty_value,
)
from tests.customers.conftest import api_put
from tests.support.urls import tenant_path

MakeCustomer = Callable[..., Customer]


def points(customer: Customer) -> int:
    return Customer.objects.get(pk=customer.pk).loyalty_points


def test_points_are_earned_per_unit_spent_rounded_down(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer()
    with tenant_context(shop):
        # the default: a point per 100 spent
        assert loyalty_earn(customer_id=customer.pk, spend=money("1999.99"), reference="S-1") == 19
        assert loyalty_earn(customer_id=customer.pk, spend=money("99.99"), reference="S-2") == 0
        assert points(customer) == 19
        entry = LoyaltyEntry.objects.get()
        assert (entry.points, entry.reason, entry.balance_after) == (19, "earned", 19)


def test_nothing_is_earned_while_the_programme_is_off(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer()
    with tenant_context(shop):
        loyalty_settings_set(
            enabled=False, points_per_unit=Decimal("0.01"), point_value=money("1.00")
        )
        assert loyalty_earn(customer_id=customer.pk, spend=money("5000"), reference="S-1") == 0
        assert points(customer) == 0
        assert not LoyaltyEntry.objects.exists()


def test_redeeming_points_gives_their_value(shop: Tenant, make_customer: MakeCustomer) -> None:
    customer = make_customer()
    with tenant_context(shop):
        loyalty_settings_set(
            enabled=True, points_per_unit=Decimal("0.1"), point_value=money("0.50")
        )
        loyalty_earn(customer_id=customer.pk, spend=money("1000"), reference="S-1")
        assert points(customer) == 100
        assert loyalty_redeem(customer_id=customer.pk, points=40, reference="S-2") == money("20")
        assert points(customer) == 60
        assert loyalty_value(60) == money("30.00")


def test_redeeming_more_points_than_held_is_refused_and_changes_nothing(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer()
    with tenant_context(shop):
        loyalty_earn(customer_id=customer.pk, spend=money("500"), reference="S-1")
        with pytest.raises(Conflict) as refused:
            loyalty_redeem(customer_id=customer.pk, points=6, reference="S-2")
        assert refused.value.code == "not_enough_points"
        assert "5 points" in refused.value.message
        with pytest.raises(ValidationFailed):
            loyalty_redeem(customer_id=customer.pk, points=0, reference="S-2")
        assert points(customer) == 5
        assert LoyaltyEntry.objects.count() == 1


def test_a_refund_takes_back_earned_points_but_never_below_zero(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer()
    with tenant_context(shop):
        loyalty_earn(customer_id=customer.pk, spend=money("1000"), reference="S-1")
        loyalty_redeem(customer_id=customer.pk, points=7, reference="S-2")
        loyalty_reverse(customer_id=customer.pk, points=10, reference="RET-1")
        assert points(customer) == 0
        # redeemed points given back on a refund of the sale they paid for
        loyalty_reverse(customer_id=customer.pk, points=-7, reference="RET-2")
        assert points(customer) == 7
        reversals = list(
            LoyaltyEntry.objects.filter(reason=LoyaltyReason.REVERSED)
            .order_by("pk")
            .values_list("points", "balance_after")
        )
        assert reversals == [(-3, 0), (7, 7)]


def test_loyalty_settings_and_a_customers_points_over_the_api(
    shop: Tenant, make_customer: MakeCustomer, owner_client: Client, cashier_client: Client
) -> None:
    customer = make_customer()
    defaults = owner_client.get(tenant_path("customers:loyalty-settings-detail"))
    assert defaults.json() == {
        "enabled": True,
        "points_per_unit": "0.0100",
        "point_value": {"amount": "1.00", "currency": "KES"},
    }
    body = {"enabled": True, "points_per_unit": "0.05", "point_value": "2"}
    assert api_put(cashier_client, "customers:loyalty-settings-detail", body).status_code == 403
    bad = api_put(
        owner_client, "customers:loyalty-settings-detail", {**body, "points_per_unit": "-1"}
    )
    assert bad.status_code == 400
    assert "points_per_unit" in bad.json()["error"]["fields"]
    saved = api_put(owner_client, "customers:loyalty-settings-detail", body)
    assert saved.status_code == 200, saved.content
    assert saved.json()["point_value"] == {"amount": "2.00", "currency": "KES"}

    with tenant_context(shop):
        loyalty_earn(customer_id=customer.pk, spend=money("1000"), reference="S-1")
    customer_loyalty_path = tenant_path("customers:customer-loyalty", customer_id=customer.pk)
    response = cashier_client.get(customer_loyalty_path)
    assert response.status_code == 200
    assert response.json()["points"] == 50
    assert response.json()["value"] == {"amount": "100.00", "currency": "KES"}
    assert response.json()["results"][0]["reference"] == "S-1"
    customer_detail_path = tenant_path("customers:customer-detail", customer_id=customer.pk)
    detail = cashier_client.get(customer_detail_path).json()
    assert detail["loyalty_points"] == 50
    assert detail["loyalty_value"] == {"amount": "100.00", "currency": "KES"}
