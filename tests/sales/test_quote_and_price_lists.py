"""Pricing a cart before paying (quote), who may name a price list, and amounts too large for the
books: each refusal seen from the client that tried it, with nothing written."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from moneyed import Money

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Category, PriceList, Product, ProductPrice, TaxRate
from tenant_apps.customers.services import customer_create
from tenant_apps.inventory.models import Location, Reservation, StockLevel, StockMovement
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.sales.models import Coupon, Register, Sale, SaleLine, Tender
from tests.support.sales import amount, cart, checkout
from tests.support.urls import tenant_path

JSON = "application/json"


def quote(client: Client, body: dict[str, Any]) -> Any:
    return client.post(tenant_path("sales:sale-quote"), body, content_type=JSON)


def footprint(business: Tenant, till: Register) -> dict[str, Any]:
    """Everything a checkout or a quote could write."""
    with schema_context(business.schema_name):
        return {
            "sales": Sale.objects.count(),
            "lines": SaleLine.objects.count(),
            "tenders": Tender.objects.count(),
            "movements": StockMovement.objects.count(),
            "reservations": Reservation.objects.count(),
            "levels": sorted(StockLevel.objects.values_list("pk", "quantity", "reserved")),
            "entries": JournalEntry.objects.count(),
            "coupon uses": sorted(Coupon.objects.values_list("code", "uses")),
            "next receipt": Register.objects.get(pk=till.pk).next_receipt_number,
        }


@pytest.fixture
def wholesale(business: Tenant) -> PriceList:
    with schema_context(business.schema_name):
        found, _ = PriceList.objects.get_or_create(code="wholesale", defaults={"name": "Wholesale"})
        return found


@pytest.fixture
def sugar(
    business: Tenant,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    wholesale: PriceList,
) -> Product:
    product = make_product(name="Sugar 2kg", price="300", cost="200")
    receive(product, store, "100", cost="200")
    with schema_context(business.schema_name):
        ProductPrice.objects.create(
            price_list=wholesale, product=product, price=Money(250, "KES"), min_quantity=1
        )
    return product


# --- price lists ------------------------------------------------------------------------------


def test_cashier_naming_the_wholesale_list_is_403_and_writes_nothing(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    sugar: Product,
) -> None:
    before = footprint(business, till)
    body = cart(till, (sugar.pk, "10"), price_list="wholesale")

    sold = checkout(cashier_client, body)
    quoted = quote(cashier_client, body)

    for response in (sold, quoted):
        assert response.status_code == 403, response.content
        error = response.json()["error"]
        assert error["fields"]["price_list"][0]["code"] == "not_allowed"
    assert footprint(business, till) == before


def test_the_customers_own_list_needs_no_permission_and_is_no_override(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    sugar: Product,
    wholesale: PriceList,
) -> None:
    with schema_context(business.schema_name):
        kiosk = customer_create(name="Kiosk", price_list_id=wholesale.pk)

    # Named or not, the customer's own list applies: nothing is overridden.
    for named in ("", "wholesale"):
        response = checkout(
            cashier_client, cart(till, (sugar.pk, "2"), customer=kiosk.pk, price_list=named)
        )
        assert response.status_code == 201, response.content
        [line] = response.json()["lines"]
        assert amount(line["unit_price"]) == Decimal("250")
        assert line["price_overridden"] is False


def test_a_manager_may_name_a_list_and_its_lines_are_marked_overridden(
    business: Tenant,
    till: Register,
    open_shift: int,
    owner_client: Client,
    sugar: Product,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    salt = make_product(name="Salt", price="50")  # no wholesale price: stays retail
    receive(salt, store, "10")

    response = checkout(
        owner_client, cart(till, (sugar.pk, "2"), (salt.pk, "1"), price_list="wholesale")
    )

    assert response.status_code == 201, response.content
    sale = response.json()
    priced = [(amount(ln["unit_price"]), ln["price_overridden"]) for ln in sale["lines"]]
    assert priced == [(Decimal("250"), True), (Decimal("50"), False)]
    with schema_context(business.schema_name):
        assert Sale.objects.get(uuid=sale["uuid"]).price_list.code == "wholesale"  # type: ignore[union-attr]


# --- quote -------------------------------------------------------------------------------------


def _cart_without_payment(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in {"uuid", "tenders", "register"}}


def test_quote_total_is_the_checkout_total_and_quoting_writes_nothing(
    business: Tenant,
    till: Register,
    open_shift: int,
    owner_client: Client,
    sugar: Product,
    wholesale: PriceList,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    with schema_context(business.schema_name):
        vat = TaxRate.objects.create(name="VAT 16", rate=Decimal("16"))
        drinks = Category.objects.create(name="Drinks")
        kiosk = customer_create(name="Kiosk", price_list_id=wholesale.pk)
        Coupon.objects.create(code="KARIBU10", kind="percent", value=Decimal("10"))
        Coupon.objects.create(
            code="SODA5", kind="fixed", value=Decimal("5"), category=drinks, max_uses=5
        )
    soda = make_product(name="Soda", price="65.50", tax_rate=vat, category=drinks)
    bread = make_product(name="Bread", price="57.99", tax_rate=vat)
    for product in (soda, bread):
        receive(product, store, "50")

    carts: list[dict[str, Any]] = [
        {"lines": [(soda.pk, "3"), (bread.pk, "1")]},
        {"lines": [(soda.pk, "3"), (bread.pk, "2")], "coupon": "KARIBU10"},
        {"lines": [(soda.pk, "1"), (bread.pk, "1")], "coupon": "SODA5"},
        {"lines": [(sugar.pk, "4"), (bread.pk, "1")], "customer": kiosk.pk},
        {"lines": [(soda.pk, "7"), (bread.pk, "3")], "cart_discount": "10.01"},
        {
            "lines": [(sugar.pk, "3"), (soda.pk, "2")],
            "price_list": "wholesale",
            "cart_discount_percent": "12.5",
        },
    ]
    for inclusive in (True, False):
        with schema_context(business.schema_name):
            Tenant.objects.filter(pk=business.pk).update(prices_include_tax=inclusive)
        for spec in carts:
            extra = {k: v for k, v in spec.items() if k != "lines"}
            body = cart(till, *spec["lines"], **extra)
            before = footprint(business, till)

            quoted = quote(owner_client, _cart_without_payment(body))

            assert quoted.status_code == 200, (spec, quoted.content)
            assert footprint(business, till) == before, spec
            offer = quoted.json()
            assert offer["prices_include_tax"] is inclusive
            # Paying exactly the quoted total by a gateway needs it to be right to the cent;
            # cash is used here, so the sale completes at once.
            body["tenders"] = [{"method": "cash", "amount": offer["total"]["amount"]}]
            sold = checkout(owner_client, body)
            assert sold.status_code == 201, (spec, sold.content)
            sale = sold.json()
            assert amount(sale["change_due"]) == 0, spec
            for name in ("total", "subtotal", "discount_total", "tax_total"):
                assert offer[name] == sale[name], (spec, name)
            keys = ("product", "quantity", "unit_price", "price_overridden", "discount", "tax_rate",
                    "net", "tax", "gross")  # fmt: skip
            assert [{k: ln[k] for k in keys} for ln in offer["lines"]] == [
                {k: ln[k] for k in keys} for ln in sale["lines"]
            ], spec


def test_quote_accepts_a_whole_checkout_body_and_refuses_what_checkout_refuses(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    sugar: Product,
) -> None:
    before = footprint(business, till)
    body = cart(till, (sugar.pk, "2"))

    whole = quote(cashier_client, body)
    by_hand = quote(cashier_client, {**body, "cart_discount": "5"})
    unknown = quote(cashier_client, {"lines": [{"product": 999999, "quantity": "1"}]})
    empty = quote(cashier_client, {"lines": []})

    assert whole.status_code == 200, whole.content
    assert amount(whole.json()["total"]) == Decimal("600")
    assert by_hand.status_code == 403
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"]["lines[0].product"][0]["code"] == "unknown_product"
    assert empty.status_code == 400
    assert footprint(business, till) == before


def test_quote_needs_a_role_that_sells(
    business: Tenant,
    till: Register,
    sugar: Product,
    member: Callable[..., Any],
    jwt_client: Callable[[Tenant, str], Client],
    tenant_client: Callable[[Tenant], Client],
) -> None:
    body = {"lines": [{"product": sugar.pk, "quantity": "1"}]}
    analyst = jwt_client(business, member(business, "analyst").email)

    assert quote(analyst, body).status_code == 403
    assert quote(tenant_client(business), body).status_code == 401


# --- amounts too large for the columns --------------------------------------------------------


def test_a_quantity_whose_price_overflows_is_400_and_writes_nothing(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
) -> None:
    tv = make_product(name="TV", price="2000")
    receive(tv, store, "5")
    before = footprint(business, till)
    body = cart(till, (tv.pk, "99999999999"))

    for response in (checkout(cashier_client, body), quote(cashier_client, body)):
        assert response.status_code == 400, response.content
        field = response.json()["error"]["fields"]["lines[0].quantity"]
        assert field[0]["code"] == "too_large"
    assert footprint(business, till) == before


def test_an_owners_huge_price_on_a_parked_sale_is_400_and_writes_nothing(
    business: Tenant,
    till: Register,
    open_shift: int,
    owner_client: Client,
    make_product: Callable[..., Product],
) -> None:
    tv = make_product(name="TV", price="2000")
    before = footprint(business, till)
    body = cart(till, (tv.pk, "1000"), tenders=[], park=True)
    body["lines"][0]["unit_price"] = "999999999999"

    response = checkout(owner_client, body)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["lines[0].quantity"][0]["code"] == "too_large"
    assert footprint(business, till) == before


def test_input_beyond_the_columns_is_400_per_field(
    business: Tenant,
    till: Register,
    open_shift: int,
    owner_client: Client,
    make_product: Callable[..., Product],
) -> None:
    tv = make_product(name="TV", price="2000")
    before = footprint(business, till)
    body = cart(till, (tv.pk, "1"))

    huge_quantity = checkout(
        owner_client, {**body, "lines": [{"product": tv.pk, "quantity": "1e30"}]}
    )
    huge_price = checkout(
        owner_client,
        {**body, "lines": [{"product": tv.pk, "quantity": "1", "unit_price": "1e20"}]},
    )
    negative_price = checkout(
        owner_client,
        {**body, "lines": [{"product": tv.pk, "quantity": "1", "unit_price": "-5"}]},
    )

    assert huge_quantity.status_code == 400
    assert "lines[0].quantity" in huge_quantity.json()["error"]["fields"]
    assert huge_price.status_code == 400
    assert "lines[0].unit_price" in huge_price.json()["error"]["fields"]
    assert negative_price.status_code == 400
    assert "lines[0].unit_price" in negative_price.json()["error"]["fields"]
    assert footprint(business, till) == before


def test_many_lines_each_fitting_but_too_much_together_is_400(
    business: Tenant,
    till: Register,
    open_shift: int,
    owner_client: Client,
    make_product: Callable[..., Product],
) -> None:
    tv = make_product(name="TV", price="2000")
    before = footprint(business, till)
    line = {"product": tv.pk, "quantity": "1", "unit_price": "90000000000000"}  # 9e13 each
    body = {**cart(till, tenders=[], park=True), "lines": [line, line]}

    response = checkout(owner_client, body)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["lines"][0]["code"] == "too_large"
    assert footprint(business, till) == before


# --- deleting what a sale used ----------------------------------------------------------------


def test_deleting_a_price_list_a_sale_used_is_409_in_use(
    business: Tenant,
    till: Register,
    open_shift: int,
    owner_client: Client,
    sugar: Product,
    wholesale: PriceList,
) -> None:
    sold = checkout(owner_client, cart(till, (sugar.pk, "1"), price_list="wholesale"))
    assert sold.status_code == 201, sold.content
    with schema_context(business.schema_name):
        ProductPrice.objects.filter(price_list=wholesale).delete()  # only the sale uses it now

    price_list_detail_path = tenant_path("catalog:price-list-detail", price_list_id=wholesale.pk)
    response = owner_client.delete(price_list_detail_path)

    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "in_use"
    assert "sales" in error["message"]
    with schema_context(business.schema_name):
        assert PriceList.objects.filter(pk=wholesale.pk).exists()


def test_deleting_a_category_a_coupon_uses_is_409_in_use(
    business: Tenant, owner_client: Client
) -> None:
    with schema_context(business.schema_name):
        drinks = Category.objects.create(name="Drinks")
        Coupon.objects.create(code="SODA5", kind="fixed", value=Decimal("5"), category=drinks)

    response = owner_client.delete(tenant_path("catalog:category-detail", category_id=drinks.pk))

    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "in_use"
    with schema_context(business.schema_name):
        assert Category.objects.filter(pk=drinks.pk).exists()


def test_an_unused_price_list_is_still_deleted(business: Tenant, owner_client: Client) -> None:
    with schema_context(business.schema_name):
        spare = PriceList.objects.create(code="spare", name="Spare")

    response = owner_client.delete(tenant_path("catalog:price-list-detail", price_list_id=spare.pk))

    assert response.status_code == 204
    with schema_context(business.schema_name):
        assert not PriceList.objects.filter(pk=spare.pk).exists()


def test_a_quote_needs_no_till_shift_or_uuid(
    business: Tenant, till: Register, cashier_client: Client, sugar: Product
) -> None:
    # No open shift and no till: a quote is only arithmetic on the catalog.
    response = quote(cashier_client, {"lines": [{"product": sugar.pk, "quantity": "3"}]})

    assert response.status_code == 200, response.content
    offer = response.json()
    assert [ln["line_no"] for ln in offer["lines"]] == [1]
    assert amount(offer["total"]) == Decimal("900")
