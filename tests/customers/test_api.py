"""The customers API: validation, search, payments at the till, permissions, isolation."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.test import Client
from django_tenants.utils import tenant_context

from saas_platform.money import money
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role
from tenant_apps.catalog.models import PriceList
from tenant_apps.customers.models import CreditEntry, Customer
from tenant_apps.customers.services import credit_charge
from tenant_apps.ledger.models import JournalEntry
from tests.customers.conftest import api_patch, api_post, balance
from tests.support.urls import tenant_path

MakeCustomer = Callable[..., Customer]


def test_adding_a_customer_gives_a_code_and_a_normalised_phone(
    shop: Tenant, owner_client: Client
) -> None:
    with tenant_context(shop):
        wholesale = PriceList.objects.get(code="wholesale")
    response = api_post(
        owner_client,
        "customers:customer-list",
        {
            "name": "  Mama Mboga  ",
            "phone": "0712 345 678",
            "credit_limit": "5000",
            "payment_terms_days": 7,
            "price_list": wholesale.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == f"C{body['id']:05d}"
    assert body["name"] == "Mama Mboga"
    assert body["phone"] == "+254712345678"
    assert body["credit_limit"] == {"amount": "5000.00", "currency": "KES"}
    assert body["balance"] == {"amount": "0.00", "currency": "KES"}
    assert body["available_credit"] == {"amount": "5000.00", "currency": "KES"}
    assert body["loyalty_points"] == 0
    assert body["price_list"] == wholesale.pk
    second = api_post(owner_client, "customers:customer-list", {"name": "Second"}).json()
    assert second["code"] == f"C{second['id']:05d}"
    assert second["credit_limit"]["amount"] == "0.00"  # cash only unless a limit is given


def test_bad_input_is_a_400_with_fields_and_creates_nothing(
    shop: Tenant, owner_client: Client
) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "name"),
        ({"name": "X", "phone": "12"}, "phone"),
        ({"name": "X", "credit_limit": "-1"}, "credit_limit"),
        ({"name": "X", "email": "not-an-email"}, "email"),
        ({"name": "X", "payment_terms_days": 400}, "payment_terms_days"),
        ({"name": "X", "price_list": 999}, "price_list"),
        ({"name": "   "}, "name"),
    ]
    for body, field in cases:
        response = api_post(owner_client, "customers:customer-list", body)
        assert response.status_code == 400, (body, response.content)
        error = response.json()["error"]
        assert field in error["fields"], (body, error)
    with tenant_context(shop):
        assert not Customer.objects.exists()


def test_a_taken_phone_is_a_409(
    shop: Tenant, make_customer: MakeCustomer, owner_client: Client
) -> None:
    make_customer(phone="0700000001")
    response = api_post(
        owner_client, "customers:customer-list", {"name": "Copy", "phone": "+254700000001"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["fields"]["phone"][0]["code"] == "phone_taken"


def test_search_by_name_phone_and_code(
    shop: Tenant, make_customer: MakeCustomer, owner_client: Client
) -> None:
    njeri = make_customer(name="Njeri Wanjiru", phone="0733111222")
    make_customer(name="Otieno Odhiambo", phone="0733999888")

    def found(query: str) -> list[int]:
        response = owner_client.get(tenant_path("customers:customer-list"), {"q": query})
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert found("njeri") == [njeri.pk]
    assert found("0733 111 222") == [njeri.pk]
    assert found(njeri.code.lower()) == [njeri.pk]
    assert len(found("")) == 2


def test_editing_a_customer(
    shop: Tenant, make_customer: MakeCustomer, owner_client: Client
) -> None:
    customer = make_customer(limit="1000")
    with tenant_context(shop):
        credit_charge(customer_id=customer.pk, amount=money("400"), reference="S-1")
    response = api_patch(
        owner_client,
        "customers:customer-detail",
        {"credit_limit": "2500.00", "note": "Pays Fridays"},
        customer_id=customer.pk,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["available_credit"]["amount"] == "2100.00"
    assert body["balance"]["amount"] == "400.00"
    assert body["note"] == "Pays Fridays"
    assert (
        api_patch(
            owner_client, "customers:customer-detail", {"phone": "x"}, customer_id=customer.pk
        ).status_code
        == 400
    )


def test_a_cashier_takes_a_payment_on_account_once_per_key(
    shop: Tenant, make_customer: MakeCustomer, cashier_client: Client
) -> None:
    customer = make_customer(limit="3000")
    with tenant_context(shop):
        credit_charge(customer_id=customer.pk, amount=money("1000"), reference="S-1")
    body = {"amount": "600", "method": "mpesa", "reference": "QK7Z1", "key": "till-1-0001"}
    first = api_post(
        cashier_client, "customers:customer-payment-list", body, customer_id=customer.pk
    )
    assert first.status_code == 201, first.content
    assert first.json()["entry"]["amount"] == {"amount": "-600.00", "currency": "KES"}
    assert first.json()["customer"]["balance"]["amount"] == "400.00"
    again = api_post(
        cashier_client, "customers:customer-payment-list", body, customer_id=customer.pk
    )
    assert again.json()["entry"]["id"] == first.json()["entry"]["id"]
    with tenant_context(shop):
        assert balance(customer) == Decimal("400")
        assert JournalEntry.objects.filter(source="customer_payment").count() == 1

    for bad, field in [
        ({**body, "amount": "0"}, "amount"),
        ({**body, "method": "cheque"}, "method"),
    ]:
        response = api_post(
            cashier_client,
            "customers:customer-payment-list",
            {**bad, "key": "other"},
            customer_id=customer.pk,
        )
        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]
    with tenant_context(shop):
        assert balance(customer) == Decimal("400")

    ledger = cashier_client.get(tenant_path("customers:customer-ledger", customer_id=customer.pk))
    assert ledger.status_code == 200
    assert [(r["kind"], r["balance_after"]["amount"]) for r in ledger.json()["results"]] == [
        ("payment", "400.00"),
        ("credit_sale", "1000.00"),
    ]


def test_a_cashier_may_not_adjust_or_manage_customers(
    shop: Tenant, make_customer: MakeCustomer, cashier_client: Client
) -> None:
    customer = make_customer(limit="3000")
    with tenant_context(shop):
        credit_charge(customer_id=customer.pk, amount=money("1000"), reference="S-1")
    refused = [
        api_post(
            cashier_client,
            "customers:customer-adjustment-list",
            {"amount": "-1000", "note": "x"},
            customer_id=customer.pk,
        ),
        api_post(cashier_client, "customers:customer-list", {"name": "New"}),
        api_patch(
            cashier_client,
            "customers:customer-detail",
            {"credit_limit": "99999"},
            customer_id=customer.pk,
        ),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert refused[0].json()["error"]["code"]
    with tenant_context(shop):
        assert balance(customer) == Decimal("1000")
        assert Customer.objects.get(pk=customer.pk).credit_limit == money("3000")
        assert Customer.objects.count() == 1


def test_a_manager_writes_off_with_a_reason(
    shop: Tenant,
    make_customer: MakeCustomer,
    staff_client: Callable[[str], Client],
) -> None:
    manager = staff_client(Role.MANAGER)
    customer = make_customer(limit="3000")
    with tenant_context(shop):
        credit_charge(customer_id=customer.pk, amount=money("1000"), reference="S-1")
    no_note = api_post(
        manager, "customers:customer-adjustment-list", {"amount": "-1000"}, customer_id=customer.pk
    )
    assert no_note.status_code == 400
    assert "note" in no_note.json()["error"]["fields"]
    done = api_post(
        manager,
        "customers:customer-adjustment-list",
        {"amount": "-1000", "note": "Shop closed down"},
        customer_id=customer.pk,
    )
    assert done.status_code == 201, done.content
    assert done.json()["customer"]["balance"]["amount"] == "0.00"
    assert done.json()["entry"]["created_by"].startswith("manager")


def test_an_accountant_reads_but_does_not_take_payments(
    shop: Tenant, make_customer: MakeCustomer, staff_client: Callable[[str], Client]
) -> None:
    accountant = staff_client(Role.ACCOUNTANT)
    customer = make_customer(limit="3000")
    customer_detail_path = tenant_path("customers:customer-detail", customer_id=customer.pk)
    assert accountant.get(customer_detail_path).status_code == 200
    refused = api_post(
        accountant,
        "customers:customer-payment-list",
        {"amount": "5", "method": "cash"},
        customer_id=customer.pk,
    )
    assert refused.status_code == 403
    with tenant_context(shop):
        assert not CreditEntry.objects.exists()


def test_another_business_cannot_reach_a_customer(
    shop: Tenant,
    make_customer: MakeCustomer,
    make_tenant: Callable[..., Tenant],
    jwt_client: Callable[[Tenant, str], Client],
) -> None:
    victim = make_customer(name="Victim", limit="3000")
    with tenant_context(shop):
        credit_charge(customer_id=victim.pk, amount=money("1000"), reference="S-1")
    other = make_tenant(business_name="Beta Stores")
    attacker = jwt_client(other, other.owner_email)
    path = tenant_path("customers:customer-detail", customer_id=victim.pk)
    assert attacker.get(path).status_code == 404
    ledger = tenant_path("customers:customer-ledger", customer_id=victim.pk)
    assert attacker.get(ledger).status_code == 404
    assert attacker.get(path + "statement/?format=pdf").status_code == 404
    paid = api_post(
        attacker,
        "customers:customer-payment-list",
        {"amount": "1000", "method": "cash"},
        customer_id=victim.pk,
    )
    assert paid.status_code == 404
    assert paid.json()["error"]["code"] == "not_found"
    written_off = api_post(
        attacker,
        "customers:customer-adjustment-list",
        {"amount": "-1000", "note": "x"},
        customer_id=victim.pk,
    )
    assert written_off.status_code == 404
    # and the owner's own token is refused at the victim's host
    assert jwt_client(shop, shop.owner_email).get(path).status_code == 200
    stolen = attacker.defaults["HTTP_AUTHORIZATION"]
    victim_host = Client(HTTP_HOST=f"{shop.slug}.{_platform_domain()}")
    assert victim_host.get(path, HTTP_AUTHORIZATION=stolen).status_code in (401, 403)
    with tenant_context(shop):
        assert balance(victim) == Decimal("1000")
        assert CreditEntry.objects.count() == 1
    with tenant_context(other):
        assert not JournalEntry.objects.exists()


def _platform_domain() -> str:
    from django.conf import settings

    return str(settings.PLATFORM_DOMAIN)
