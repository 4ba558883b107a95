"""Inventory workflows through the API, with bad input refused and nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role, User
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location, Reservation, StockAlert, StockMovement
from tenant_apps.inventory.services import reservations_expire
from tests.inventory.conftest import post
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

Stock = Callable[..., tuple[Decimal, Decimal]]


def movements(business: Tenant) -> int:
    with schema_context(business.schema_name):
        return StockMovement.objects.count()


# --- adjustments ---------------------------------------------------------------------------


def test_write_off_with_a_reason_code(
    business: Tenant,
    manager_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Stock,
) -> None:
    eggs = make_product(name="Eggs tray")
    receive(eggs, store, "10")

    response = post(
        manager_client,
        "inventory:adjustment-list",
        {
            "product": eggs.pk,
            "location": store.pk,
            "quantity": "-2",
            "reason": "damage",
            "note": "dropped",
        },
    )

    assert response.status_code == 201
    assert stock_of(eggs, store) == (Decimal("8"), Decimal("0"))
    with schema_context(business.schema_name):
        movement = StockMovement.objects.get(reason="damage")
        assert (movement.quantity, movement.note) == (Decimal("-2"), "dropped")
        assert movement.created_by is not None
        assert movement.created_by.email == business.owner_email


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"quantity": "-11", "reason": "theft"}, 409, "insufficient_stock"),
        ({"quantity": "0", "reason": "damage"}, 400, "validation_error"),
        ({"quantity": "3", "reason": "damage"}, 400, "validation_error"),
        ({"quantity": "-1", "reason": "sale"}, 400, "validation_error"),
        ({"quantity": "-1", "reason": "damage", "product": 999999}, 400, "validation_error"),
        ({"quantity": "-1", "reason": "damage", "location": 999999}, 400, "validation_error"),
        ({"quantity": "lots", "reason": "damage"}, 400, "validation_error"),
    ],
)
def test_bad_adjustments_change_nothing(
    business: Tenant,
    manager_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Stock,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    eggs = make_product()
    receive(eggs, store, "10")
    before = movements(business)

    response = post(
        manager_client,
        "inventory:adjustment-list",
        {"product": eggs.pk, "location": store.pk, **body},
    )

    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert stock_of(eggs, store) == (Decimal("10"), Decimal("0"))
    assert movements(business) == before


def test_found_stock_is_booked_at_standard_cost(
    business: Tenant,
    manager_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    stock_of: Stock,
) -> None:
    soap = make_product(cost="45")

    response = post(
        manager_client,
        "inventory:adjustment-list",
        {
            "product": soap.pk,
            "location": store.pk,
            "quantity": "3",
            "reason": "correction",
        },
    )

    assert response.status_code == 201
    assert stock_of(soap, store) == (Decimal("3"), Decimal("0"))
    valuation = manager_client.get(tenant_path("inventory:valuation-report")).json()
    assert valuation["total"] == "135.00"


def test_cashier_cannot_adjust_stock(
    business: Tenant,
    member: Callable[..., User],
    jwt_client: Callable[[Tenant, str], Client],
    make_product: Callable[..., Product],
    store: Location,
) -> None:
    cashier = member(business, Role.CASHIER)

    response = post(
        jwt_client(business, cashier.email),
        "inventory:adjustment-list",
        {
            "product": make_product().pk,
            "location": store.pk,
            "quantity": "1",
            "reason": "correction",
        },
    )

    assert response.status_code == 403


# --- transfers -----------------------------------------------------------------------------


def test_transfer_dispatch_and_partial_then_full_receipt(
    business: Tenant,
    manager_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    warehouse: Location,
    receive: Callable[..., None],
    stock_of: Stock,
) -> None:
    rice = make_product(name="Rice 2kg")
    receive(rice, warehouse, "10", cost="200")

    created = post(
        manager_client,
        "inventory:transfer-list",
        {
            "from_location": warehouse.pk,
            "to_location": store.pk,
            "lines": [{"product": rice.pk, "quantity": "6"}],
        },
    )
    transfer_id = created.json()["id"]
    dispatched = post(manager_client, "inventory:transfer-dispatch", transfer_id=transfer_id)
    partial = post(
        manager_client,
        "inventory:transfer-receive",
        {"lines": [{"product": rice.pk, "quantity": "4"}]},
        transfer_id=transfer_id,
    )
    in_transit = (stock_of(rice, warehouse), stock_of(rice, store))
    rest = post(manager_client, "inventory:transfer-receive", transfer_id=transfer_id)

    assert created.status_code == 201 and created.json()["status"] == "draft"
    assert dispatched.json()["status"] == "in_transit"
    assert dispatched.json()["lines"][0]["unit_cost"] == {"amount": "200.00", "currency": "KES"}
    assert partial.json()["status"] == "in_transit"
    assert in_transit == ((Decimal("4"), Decimal("0")), (Decimal("4"), Decimal("0")))
    assert rest.json()["status"] == "received"
    assert stock_of(rice, store) == (Decimal("6"), Decimal("0"))


def test_transfer_refusals_change_nothing(
    business: Tenant,
    manager_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    warehouse: Location,
    receive: Callable[..., None],
    stock_of: Stock,
) -> None:
    rice = make_product()
    receive(rice, warehouse, "5")
    too_much = post(
        manager_client,
        "inventory:transfer-list",
        {
            "from_location": warehouse.pk,
            "to_location": store.pk,
            "lines": [{"product": rice.pk, "quantity": "6"}],
        },
    ).json()["id"]

    dispatch = post(manager_client, "inventory:transfer-dispatch", transfer_id=too_much)
    same_place = post(
        manager_client,
        "inventory:transfer-list",
        {
            "from_location": store.pk,
            "to_location": store.pk,
            "lines": [{"product": rice.pk, "quantity": "1"}],
        },
    )
    receive_draft = post(manager_client, "inventory:transfer-receive", transfer_id=too_much)

    assert dispatch.status_code == 409
    assert dispatch.json()["error"]["code"] == "insufficient_stock"
    assert same_place.status_code == 400
    assert receive_draft.status_code == 409
    assert stock_of(rice, warehouse) == (Decimal("5"), Decimal("0"))
    detail = tenant_path("inventory:transfer-detail", transfer_id=too_much)
    assert manager_client.get(detail).json()["status"] == "draft"


def test_receiving_more_than_was_sent_is_refused(
    business: Tenant,
    manager_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    warehouse: Location,
    receive: Callable[..., None],
    stock_of: Stock,
) -> None:
    rice = make_product()
    receive(rice, warehouse, "5")
    transfer_id = post(
        manager_client,
        "inventory:transfer-list",
        {
            "from_location": warehouse.pk,
            "to_location": store.pk,
            "lines": [{"product": rice.pk, "quantity": "2"}],
        },
    ).json()["id"]
    post(manager_client, "inventory:transfer-dispatch", transfer_id=transfer_id)

    response = post(
        manager_client,
        "inventory:transfer-receive",
        {"lines": [{"product": rice.pk, "quantity": "3"}]},
        transfer_id=transfer_id,
    )

    assert response.status_code == 400
    assert stock_of(rice, store) == (Decimal("0"), Decimal("0"))


# --- stock counts --------------------------------------------------------------------------


def test_blind_count_hides_expected_and_completion_books_the_variances(
    business: Tenant,
    manager_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Stock,
) -> None:
    milk, bread = make_product(name="Milk"), make_product(name="Bread")
    receive(milk, store, "10")
    receive(bread, store, "4")

    opened = post(manager_client, "inventory:count-list", {"location": store.pk, "blind": True})
    count_id = opened.json()["id"]
    recorded = post(
        manager_client,
        "inventory:count-line-list",
        {
            "lines": [
                {"product": milk.pk, "counted": "8"},
                {"product": bread.pk, "counted": "5"},
            ]
        },
        count_id=count_id,
    )
    completed = post(manager_client, "inventory:count-complete", count_id=count_id)
    again = post(manager_client, "inventory:count-complete", count_id=count_id)

    assert opened.status_code == 201
    assert all("expected" not in line for line in opened.json()["lines"])
    assert recorded.status_code == 200
    assert completed.json()["status"] == "completed"
    variances = {line["product"]["id"]: line["variance"] for line in completed.json()["lines"]}
    assert variances == {milk.pk: "-2.000", bread.pk: "1.000"}
    assert stock_of(milk, store) == (Decimal("8"), Decimal("0"))
    assert stock_of(bread, store) == (Decimal("5"), Decimal("0"))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "count_not_open"
    with schema_context(business.schema_name):
        assert StockMovement.objects.filter(reason="count").count() == 2


def test_count_rejects_negative_or_foreign_lines(
    business: Tenant,
    manager_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    milk, other = make_product(), make_product()
    receive(milk, store, "1")
    count_id = post(
        manager_client, "inventory:count-list", {"location": store.pk, "products": [milk.pk]}
    ).json()["id"]

    negative = post(
        manager_client,
        "inventory:count-line-list",
        {"lines": [{"product": milk.pk, "counted": "-1"}]},
        count_id=count_id,
    )
    foreign = post(
        manager_client,
        "inventory:count-line-list",
        {"lines": [{"product": other.pk, "counted": "1"}]},
        count_id=count_id,
    )
    second = post(manager_client, "inventory:count-list", {"location": store.pk})

    assert negative.status_code == 400
    assert foreign.status_code == 400
    assert second.status_code == 409
    detail = tenant_path("inventory:count-detail", count_id=count_id)
    assert manager_client.get(detail).json()["lines"][0]["counted"] is None


# --- reservations, thresholds and alerts ---------------------------------------------------


def test_reservations_hold_stock_until_released_or_expired(
    business: Tenant,
    manager_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Stock,
) -> None:
    tv = make_product(name="TV")
    receive(tv, store, "3")

    first = post(
        manager_client,
        "inventory:reservation-list",
        {"product": tv.pk, "location": store.pk, "quantity": "2", "expires_in_minutes": 30},
    )
    too_many = post(
        manager_client,
        "inventory:reservation-list",
        {"product": tv.pk, "location": store.pk, "quantity": "2", "expires_in_minutes": 30},
    )
    sell_reserved = post(
        manager_client,
        "inventory:adjustment-list",
        {"product": tv.pk, "location": store.pk, "quantity": "-2", "reason": "theft"},
    )
    released = post(
        manager_client, "inventory:reservation-release", reservation_id=first.json()["id"]
    )

    assert first.status_code == 201
    assert too_many.status_code == 409
    assert sell_reserved.status_code == 409  # only one is free while two are held
    assert released.json()["status"] == "released"
    assert stock_of(tv, store) == (Decimal("3"), Decimal("0"))

    post(
        manager_client,
        "inventory:reservation-list",
        {"product": tv.pk, "location": store.pk, "quantity": "1", "expires_in_minutes": 1},
    )
    with schema_context(business.schema_name):
        assert reservations_expire(now=timezone.now() + timedelta(minutes=2)) == 1
        assert Reservation.objects.filter(status="expired").count() == 1
    assert stock_of(tv, store) == (Decimal("3"), Decimal("0"))


def test_low_stock_alert_is_raised_once_and_resolved_by_restocking(
    business: Tenant,
    manager_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    salt = make_product(name="Salt")
    receive(salt, store, "10")
    post(
        manager_client,
        "inventory:threshold-list",
        {"product": salt.pk, "location": store.pk, "threshold": "5"},
    )

    for _ in range(3):
        post(
            manager_client,
            "inventory:adjustment-list",
            {"product": salt.pk, "location": store.pk, "quantity": "-2", "reason": "damage"},
        )
    active_alerts = tenant_path("inventory:alert-list") + "?status=active"
    active = manager_client.get(active_alerts).json()["results"]
    receive(salt, store, "20")
    after = manager_client.get(active_alerts).json()["results"]

    assert [a["kind"] for a in active] == ["low_stock"]
    assert after == []
    with schema_context(business.schema_name):
        assert StockAlert.objects.get().status == "resolved"


def test_expiring_batches_raise_alerts(
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    from tenant_apps.inventory.alerts import expiring_batch_alerts_refresh

    yoghurt = make_product(name="Yoghurt")
    receive(yoghurt, store, "6", expires_on=timezone.localdate() + timedelta(days=3))
    receive(yoghurt, store, "6", expires_on=timezone.localdate() + timedelta(days=60))

    with schema_context(business.schema_name):
        assert expiring_batch_alerts_refresh() == 1
        assert expiring_batch_alerts_refresh() == 0  # not raised twice
        assert "expire on" in StockAlert.objects.get().message


# --- invariant command ---------------------------------------------------------------------


def test_verify_stock_reports_drift(
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    receive(make_product(), store, "4")
    out = StringIO()
    call_command("verify_stock", tenant=business.slug, stdout=out)
    assert "consistent" in out.getvalue()

    with schema_context(business.schema_name), connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_stocklevel SET quantity = quantity + 1")
    out = StringIO()
    with pytest.raises(CommandError, match="1 stock levels drifted"):
        call_command("verify_stock", tenant=business.slug, stdout=out)
    assert "level 5.000, movements sum to 4.000" in out.getvalue()
