"""The sales list with ``?updated_since=``: a sale comes again when it changes (docs/api.md,
"Syncing")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.test import Client
from django.utils import timezone

from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location
from tenant_apps.sales.models import Register
from tests.support.sales import cart, checkout
from tests.support.urls import tenant_path

URL = tenant_path("sales:sale-list")


def test_a_voided_sale_comes_again_after_its_change(
    till: Register,
    open_shift: int,
    cashier_client: Client,
    owner_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    soap = make_product(name="Soap", price="100")
    receive(soap, store, "5")
    kept = checkout(cashier_client, cart(till, (soap.pk, "1"))).json()
    voided = checkout(cashier_client, cart(till, (soap.pk, "1"))).json()
    before_void = timezone.now()

    response = owner_client.post(
        f"{URL}{voided['uuid']}/void/", {"reason": "Rang up twice"}, "application/json"
    )
    changed = owner_client.get(URL, {"updated_since": before_void.isoformat()}).json()
    everything = owner_client.get(URL).json()

    assert response.status_code == 200, response.content
    assert [(row["uuid"], row["status"]) for row in changed["results"]] == [
        (voided["uuid"], "voided")
    ]
    assert datetime.fromisoformat(changed["results"][0]["updated_at"]) > before_void
    assert {row["uuid"] for row in everything["results"]} == {kept["uuid"], voided["uuid"]}
