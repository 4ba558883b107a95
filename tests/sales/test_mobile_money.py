"""Sales paid by M-Pesa against the local Daraja sandbox: the acceptance scenarios."""

from __future__ import annotations

import json
import select
import socket
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from devtools.payments_sandbox import Sandbox, start_sandbox
from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location, StockAlert
from tenant_apps.inventory.services import reservations_expire
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.payments.models import C2BPayment, Payment, PaymentCallback, ProviderAccount
from tenant_apps.payments.seeding import sandbox_accounts_install
from tenant_apps.payments.services.accounts import account_urls
from tenant_apps.payments.services.lifecycle import payment_query
from tenant_apps.sales.models import Register, Sale
from tests.support.sales import amount, cart, checkout
from tests.support.urls import tenant_path

SUCCESS, CANCELLED, LATE = "254712345670", "254712345671", "254712345672"


@pytest.fixture
def daraja(business: Tenant) -> Iterator[Sandbox]:
    server = start_sandbox(port=0, deliver=False)
    with schema_context(business.schema_name):
        sandbox_accounts_install(server.url)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def soda(
    make_product: Callable[..., Product], store: Location, receive: Callable[..., None]
) -> Product:
    product = make_product(name="Soda", price="100", cost="60")
    receive(product, store, "10", cost="60")
    return product


def _deliver(client: Client, callback: dict[str, Any], body: str | None = None) -> Any:
    """Posts what the sandbox would have posted, to our host, as Safaricom would."""
    return client.post(
        urlsplit(callback["url"]).path,
        body if body is not None else callback["body"],
        content_type="application/json",
    )


def _sell(client: Client, body: dict[str, Any], capture: Any) -> dict[str, Any]:
    with capture(execute=True):  # runs the push that is sent once the checkout commits
        response = checkout(client, body)
    assert response.status_code == 201, response.content
    return dict(response.json())


def _sale(business: Tenant, sale_uuid: str) -> Sale:
    with schema_context(business.schema_name):
        return Sale.objects.get(uuid=sale_uuid)


def test_mpesa_success_completes_the_sale_once(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
    daraja: Sandbox,
    soda: Product,
    store: Location,
    stock_of: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    body = cart(
        till, (soda.pk, "2"), tenders=[{"method": "mpesa", "amount": "200", "payer": "0712345670"}]
    )
    sale = _sell(cashier_client, body, django_capture_on_commit_callbacks)
    assert sale["status"] == "awaiting_payment"
    assert sale["receipt"] == ""
    assert sale["tenders"][0]["status"] == "pending"
    assert stock_of(soda, store) == (Decimal(10), Decimal(2))  # held, not taken
    [push] = daraja.requests("/mpesa/stkpush/v1/processrequest")
    assert json.loads(push["body"])["PhoneNumber"] == SUCCESS
    assert json.loads(push["body"])["Amount"] == 200
    [callback] = daraja.callbacks("mpesa")

    gateway = tenant_client(business)  # Safaricom carries no credentials of ours
    first = _deliver(gateway, callback)
    again = _deliver(gateway, callback)

    assert first.status_code == 200
    assert first.json()["ResultCode"] == 0
    assert again.status_code == 200
    done = _sale(business, sale["uuid"])
    assert done.status == "completed"
    assert done.receipt_number == 1
    assert stock_of(soda, store) == (Decimal(8), Decimal(0))
    with schema_context(business.schema_name):
        entry = JournalEntry.objects.get(source="sale", reference=sale["uuid"])
        lines = {
            line.account.role: line.debit.amount for line in entry.lines.select_related("account")
        }
        assert lines["mpesa_clearing"] == Decimal("200.00")
        assert list(PaymentCallback.objects.values_list("result", flat=True).order_by("pk")) == [
            "accepted",
            "duplicate",
        ]
        assert Payment.objects.get().receipt != ""


def test_cancelled_push_keeps_the_sale_open_then_cash_finishes_it(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
    daraja: Sandbox,
    soda: Product,
    store: Location,
    stock_of: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    body = cart(
        till, (soda.pk, "1"), tenders=[{"method": "mpesa", "amount": "100", "payer": "0712345671"}]
    )
    sale = _sell(cashier_client, body, django_capture_on_commit_callbacks)
    [callback] = daraja.callbacks("mpesa")

    assert _deliver(tenant_client(business), callback).status_code == 200
    failed = cashier_client.get(tenant_path("sales:sale-detail", sale_uuid=sale["uuid"])).json()
    assert failed["status"] == "awaiting_payment"
    assert failed["tenders"][0]["status"] == "failed"
    assert failed["tenders"][0]["payment_status"] == "failed"
    assert stock_of(soda, store) == (Decimal(10), Decimal(1))

    retried = cashier_client.post(
        tenant_path(
            "sales:sale-tender-retry", sale_uuid=sale["uuid"], tender_id=failed["tenders"][0]["id"]
        ),
        {"method": "cash"},
        content_type="application/json",
    )

    assert retried.status_code == 200, retried.content
    assert retried.json()["status"] == "completed"
    assert retried.json()["receipt"] == "T1-000001"
    assert stock_of(soda, store) == (Decimal(9), Decimal(0))


def test_lost_callback_is_resolved_by_a_status_query(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    daraja: Sandbox,
    soda: Product,
    django_capture_on_commit_callbacks: Any,
) -> None:
    body = cart(
        till, (soda.pk, "1"), tenders=[{"method": "mpesa", "amount": "100", "payer": "0712345672"}]
    )
    sale = _sell(cashier_client, body, django_capture_on_commit_callbacks)
    assert daraja.callbacks("mpesa") == []  # Safaricom never calls back
    with schema_context(business.schema_name):
        payment = Payment.objects.get()
        assert payment_query(payment_id=payment.pk).status == "pending"  # "being processed"
        assert _sale(business, sale["uuid"]).status == "awaiting_payment"
        assert payment_query(payment_id=payment.pk).status == "succeeded"
    assert _sale(business, sale["uuid"]).status == "completed"


def test_forged_or_broken_callbacks_change_nothing(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
    daraja: Sandbox,
    soda: Product,
    store: Location,
    stock_of: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    body = cart(
        till, (soda.pk, "1"), tenders=[{"method": "mpesa", "amount": "100", "payer": "0712345670"}]
    )
    sale = _sell(cashier_client, body, django_capture_on_commit_callbacks)
    [callback] = daraja.callbacks("mpesa")
    gateway = tenant_client(business)
    forged_body = callback["body"].replace(urlsplit(callback["url"]).path, "/")

    wrong_token = gateway.post(
        tenant_path("payments:payment-callback", token="not-a-real-token"),
        callback["body"],
        content_type="application/json",
    )
    junk = _deliver(gateway, callback, body="{nope")
    other_checkout = _deliver(
        gateway,
        callback,
        body=forged_body.replace('"CheckoutRequestID": "', '"CheckoutRequestID": "X'),
    )

    assert wrong_token.status_code == 404
    assert junk.status_code == 400
    assert other_checkout.status_code == 400
    assert _sale(business, sale["uuid"]).status == "awaiting_payment"
    assert stock_of(soda, store) == (Decimal(10), Decimal(1))
    with schema_context(business.schema_name):
        assert Payment.objects.get().status == "pending"


def test_split_tender_cash_and_mpesa_then_partial_refund_to_mpesa(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    owner_client: Client,
    tenant_client: Callable[[Tenant], Client],
    daraja: Sandbox,
    soda: Product,
    store: Location,
    stock_of: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    body = cart(
        till,
        (soda.pk, "3"),
        tenders=[
            {"method": "cash", "amount": "150"},
            {"method": "mpesa", "amount": "150", "payer": "+254712345670"},
        ],
    )
    sale = _sell(cashier_client, body, django_capture_on_commit_callbacks)
    [callback] = daraja.callbacks("mpesa")
    assert _deliver(tenant_client(business), callback).status_code == 200
    done = cashier_client.get(tenant_path("sales:sale-detail", sale_uuid=sale["uuid"])).json()
    assert done["status"] == "completed"
    assert {t["method"]: amount(t["amount"]) for t in done["tenders"]} == {
        "cash": Decimal("150.00"),
        "mpesa": Decimal("150.00"),
    }

    with django_capture_on_commit_callbacks(execute=True):
        refund = owner_client.post(
            tenant_path("sales:sale-return-list", sale_uuid=sale["uuid"]),
            {
                "uuid": str(uuid.uuid4()),
                "lines": [{"line": done["lines"][0]["id"], "quantity": "1"}],
                "refund_method": "original",
                "reason": "Flat",
            },
            content_type="application/json",
        )

    assert refund.status_code == 201, refund.content
    assert amount(refund.json()["total"]) == Decimal("100.00")
    assert stock_of(soda, store) == (Decimal(8), Decimal(0))
    # Part of a payment goes back to the payer's phone as a B2C payment; a reversal would
    # return the whole transaction.
    assert len(daraja.requests("/mpesa/b2c/v1/paymentrequest")) == 1
    assert daraja.requests("/mpesa/reversal/v1/request") == []
    with schema_context(business.schema_name):
        payment = Payment.objects.get()
        assert payment.refunded_amount.amount == Decimal("100")
        entry = JournalEntry.objects.get(source="sale_return")
        credits = {
            line.account.role: line.credit.amount for line in entry.lines.select_related("account")
        }
        assert credits["mpesa_clearing"] == Decimal("100.00")


def test_paybill_payment_naming_an_open_sale_completes_it(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
    daraja: Sandbox,
    soda: Product,
    store: Location,
    stock_of: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    body = cart(
        till, (soda.pk, "1"), tenders=[{"method": "mpesa", "amount": "100", "payer": "0712345671"}]
    )
    sale = _sell(cashier_client, body, django_capture_on_commit_callbacks)
    [cancelled] = daraja.callbacks("mpesa")
    gateway = tenant_client(business)
    assert _deliver(gateway, cancelled).status_code == 200  # the customer cancelled the push
    with schema_context(business.schema_name):
        account = ProviderAccount.objects.get(provider="mpesa")
        confirmation = account_urls(account)["c2b_confirmation_url"]

    def paybill(trans_id: str, amount_paid: str) -> Any:
        notice = {
            "TransactionType": "Pay Bill",
            "TransID": trans_id,
            "TransTime": "20261121101500",
            "TransAmount": amount_paid,
            "BusinessShortCode": "174379",
            "BillRefNumber": sale["payment_reference"].lower(),
            "InvoiceNumber": "",
            "OrgAccountBalance": "",
            "ThirdPartyTransID": "",
            "MSISDN": "2547 ***** 671",
            "FirstName": "Wanjiku",
            "MiddleName": "",
            "LastName": "",
        }
        return gateway.post(urlsplit(confirmation).path, notice, content_type="application/json")

    wrong_amount = paybill("SKL1AAAAAA", "90.00")
    paid = paybill("SKL1BBBBBB", "100.00")
    again = paybill("SKL1BBBBBB", "100.00")

    assert (wrong_amount.status_code, paid.status_code, again.status_code) == (200, 200, 200)
    done = cashier_client.get(tenant_path("sales:sale-detail", sale_uuid=sale["uuid"])).json()
    assert done["status"] == "completed"
    assert [(t["method"], t["status"], t["reference"]) for t in done["tenders"]] == [
        ("mpesa", "settled", "SKL1BBBBBB")
    ]
    assert stock_of(soda, store) == (Decimal(9), Decimal(0))
    with schema_context(business.schema_name):
        statuses = dict(C2BPayment.objects.values_list("trans_id", "status"))
        assert statuses == {"SKL1AAAAAA": "unmatched", "SKL1BBBBBB": "matched"}
        assert JournalEntry.objects.filter(source="sale", reference=sale["uuid"]).count() == 1


def test_payment_after_the_hold_lapsed_still_completes_the_sale(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
    daraja: Sandbox,
    make_product: Callable[..., Product],
    store: Location,
    receive: Callable[..., None],
    stock_of: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    last = make_product(name="Last radio", price="100")
    receive(last, store, "1")
    body = cart(
        till, (last.pk, "1"), tenders=[{"method": "mpesa", "amount": "100", "payer": "0712345670"}]
    )
    sale = _sell(cashier_client, body, django_capture_on_commit_callbacks)
    with schema_context(business.schema_name):
        reservations_expire(now=timezone.now() + timedelta(hours=1))
    assert checkout(cashier_client, cart(till, (last.pk, "1"))).status_code == 201  # sold again
    [callback] = daraja.callbacks("mpesa")

    assert _deliver(tenant_client(business), callback).status_code == 200

    assert _sale(business, sale["uuid"]).status == "completed"
    assert stock_of(last, store) == (Decimal(-1), Decimal(0))
    with schema_context(business.schema_name):
        assert StockAlert.objects.filter(kind="negative_stock", status="active").count() == 1


def _deliver_all(client: Client, callbacks: list[dict[str, Any]]) -> list[int]:
    return [
        client.post(
            urlsplit(cb["url"]).path,
            cb["body"],
            content_type="application/json",
            headers={k: v for k, v in cb["headers"].items() if k.lower() != "content-type"},
        ).status_code
        for cb in callbacks
    ]


def test_airtel_money_sale_completes_from_its_signed_webhook(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
    daraja: Sandbox,
    soda: Product,
    store: Location,
    stock_of: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    body = cart(
        till, (soda.pk, "1"), tenders=[{"method": "airtel", "amount": "100", "payer": "0733123450"}]
    )
    sale = _sell(cashier_client, body, django_capture_on_commit_callbacks)
    callbacks = daraja.callbacks("airtel")
    assert callbacks, "the sandbox sent Airtel's result to the business's webhook"
    tampered = [{**cb, "body": cb["body"].replace('"TS"', '"TF"')} for cb in callbacks]

    assert set(_deliver_all(tenant_client(business), tampered)) == {400}
    assert _sale(business, sale["uuid"]).status == "awaiting_payment"
    assert set(_deliver_all(tenant_client(business), callbacks)) == {200}

    assert _sale(business, sale["uuid"]).status == "completed"
    assert stock_of(soda, store) == (Decimal(9), Decimal(0))


def test_hosted_card_sale_shows_its_payment_link_and_completes_when_paid(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
    daraja: Sandbox,
    soda: Product,
    django_capture_on_commit_callbacks: Any,
) -> None:
    body = cart(till, (soda.pk, "2"), tenders=[{"method": "card", "amount": "200"}])
    sale = _sell(cashier_client, body, django_capture_on_commit_callbacks)
    # In production the page is asked for as the checkout commits, before it answers; the test
    # runs those commit hooks after the answer, so the till's next poll shows the link.
    polled = cashier_client.get(tenant_path("sales:sale-detail", sale_uuid=sale["uuid"])).json()
    link = polled["tenders"][0]["payment_link"]
    assert link and link.startswith(daraja.url)

    daraja.pay_card(urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1])

    assert set(_deliver_all(tenant_client(business), daraja.callbacks("card"))) == {200}
    done = _sale(business, sale["uuid"])
    assert done.status == "completed"
    assert done.receipt_number == 1


# --- issue 10: references, cash after a failed push, currencies, provider addresses ------------


def test_the_tender_carries_the_mpesa_receipt_code_once_paid(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
    daraja: Sandbox,
    soda: Product,
    django_capture_on_commit_callbacks: Any,
) -> None:
    body = cart(
        till, (soda.pk, "1"), tenders=[{"method": "mpesa", "amount": "100", "payer": SUCCESS}]
    )
    sale = _sell(cashier_client, body, django_capture_on_commit_callbacks)
    assert sale["tenders"][0]["reference"] == ""  # not paid yet: nothing to show
    [callback] = daraja.callbacks("mpesa")
    items = json.loads(callback["body"])["Body"]["stkCallback"]["CallbackMetadata"]["Item"]
    code = next(item["Value"] for item in items if item["Name"] == "MpesaReceiptNumber")

    assert _deliver(tenant_client(business), callback).status_code == 200

    done = cashier_client.get(tenant_path("sales:sale-detail", sale_uuid=sale["uuid"])).json()
    assert done["status"] == "completed"
    assert [(t["method"], t["reference"]) for t in done["tenders"]] == [("mpesa", code)]
    receipt = cashier_client.get(tenant_path("sales:sale-receipt", sale_uuid=sale["uuid"]))
    assert receipt.status_code == 200
    assert code in receipt.content.decode()
    with schema_context(business.schema_name):
        assert Sale.objects.get(uuid=sale["uuid"]).tenders.get().reference == code


def _failed_push(
    business: Tenant,
    till: Register,
    client: Client,
    gateway: Client,
    daraja: Sandbox,
    product: Product,
    capture: Any,
    quantity: str = "1",
) -> tuple[dict[str, Any], int]:
    due = str(100 * int(quantity))
    body = cart(
        till,
        (product.pk, quantity),
        tenders=[{"method": "mpesa", "amount": due, "payer": CANCELLED}],
    )
    sale = _sell(client, body, capture)
    [callback] = daraja.callbacks("mpesa")
    assert _deliver(gateway, callback).status_code == 200
    failed = client.get(tenant_path("sales:sale-detail", sale_uuid=sale["uuid"])).json()
    assert failed["tenders"][0]["status"] == "failed"
    return sale, failed["tenders"][0]["id"]


def test_cash_after_a_failed_push_keeps_what_was_handed_over_and_gives_change(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
    daraja: Sandbox,
    soda: Product,
    store: Location,
    stock_of: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    sale, tender_id = _failed_push(
        business, till, cashier_client, tenant_client(business), daraja, soda,
        django_capture_on_commit_callbacks, quantity="2",
    )  # fmt: skip
    path = tenant_path("sales:sale-tender-retry", sale_uuid=sale["uuid"], tender_id=tender_id)

    short = cashier_client.post(path, {"method": "cash", "amount": "150"},
                                content_type="application/json")  # fmt: skip
    dollars = cashier_client.post(path, {"method": "cash", "amount": "300", "currency": "USD"},
                                  content_type="application/json")  # fmt: skip
    push_more = cashier_client.post(
        path, {"method": "mpesa", "payer": SUCCESS, "amount": "300"},
        content_type="application/json",
    )  # fmt: skip
    assert (short.status_code, dollars.status_code, push_more.status_code) == (400, 400, 400)
    assert short.json()["error"]["fields"]["amount"][0]["code"] == "underpaid"
    assert dollars.json()["error"]["fields"]["currency"][0]["code"] == "currency_mismatch"
    assert push_more.json()["error"]["fields"]["amount"][0]["code"] == "not_amount_due"
    unchanged = cashier_client.get(tenant_path("sales:sale-detail", sale_uuid=sale["uuid"])).json()
    assert unchanged["status"] == "awaiting_payment"
    assert [(t["id"], t["status"]) for t in unchanged["tenders"]] == [(tender_id, "failed")]
    assert stock_of(soda, store) == (Decimal(10), Decimal(2))

    paid = cashier_client.post(path, {"method": "cash", "amount": "250"},
                               content_type="application/json")  # fmt: skip

    assert paid.status_code == 200, paid.content
    done = paid.json()
    assert done["status"] == "completed"
    [cash] = done["tenders"]
    given = (amount(cash["amount"]), amount(cash["tendered"]), amount(cash["change"]))
    assert (cash["method"], *given) == ("cash", Decimal(200), Decimal(250), Decimal(50))
    assert (amount(done["paid_total"]), amount(done["change_due"])) == (Decimal(200), Decimal(50))
    assert stock_of(soda, store) == (Decimal(8), Decimal(0))
    with schema_context(business.schema_name):
        entry = JournalEntry.objects.get(source="sale", reference=sale["uuid"])
        debits = {line.account.role: line.debit.amount for line in entry.lines.all()}
        assert debits["cash_drawer"] == Decimal("200.00")  # the change went back out of it


def test_a_tender_in_another_currency_is_refused_and_nothing_is_written(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    daraja: Sandbox,
    soda: Product,
    store: Location,
    stock_of: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    usd_cash = cart(till, (soda.pk, "1"),
                    tenders=[{"method": "cash", "amount": "100", "currency": "USD"}])  # fmt: skip
    usd_push = cart(till, (soda.pk, "1"), tenders=[
        {"method": "cash", "amount": "20", "currency": "KES"},
        {"method": "mpesa", "amount": "80", "payer": SUCCESS, "currency": "usd"},
    ])  # fmt: skip
    long_code = {"method": "cash", "amount": "100", "currency": "K" * 5000}
    too_long = cart(till, (soda.pk, "1"), tenders=[long_code])

    with django_capture_on_commit_callbacks(execute=True):
        responses = [checkout(cashier_client, body) for body in (usd_cash, usd_push, too_long)]

    assert [r.status_code for r in responses] == [400, 400, 400]
    assert responses[0].json()["error"]["fields"]["tenders[0].currency"][0]["code"] == (
        "currency_mismatch"
    )
    assert responses[1].json()["error"]["fields"]["tenders[1].currency"][0]["code"] == (
        "currency_mismatch"
    )
    assert "tenders[0].currency" in responses[2].json()["error"]["fields"]
    assert "K" * 100 not in responses[2].content.decode()
    with schema_context(business.schema_name):
        assert not Sale.objects.exists()
        assert not Payment.objects.exists()
    assert daraja.requests("/mpesa/stkpush/v1/processrequest") == []
    assert stock_of(soda, store) == (Decimal(10), Decimal(0))

    # Naming the business's own currency (in any case) is the same sale as naming none.
    kes = cart(
        till, (soda.pk, "1"), tenders=[{"method": "cash", "amount": "100", "currency": "kes"}]
    )
    made = checkout(cashier_client, kes)
    assert made.status_code == 201, made.content
    del kes["tenders"][0]["currency"]
    assert checkout(cashier_client, kes).status_code == 200  # a replay, not a different sale


def test_a_tampered_provider_address_fails_the_push_without_contacting_it(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    daraja: Sandbox,
    soda: Product,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Server-side request forgery from the attacker's side: the API refuses to store an
    internal address, so the attacker writes it in the database directly. The sale's push is
    refused before any connection; the cashier takes cash instead."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    try:
        with schema_context(business.schema_name):
            ProviderAccount.objects.filter(provider="mpesa").update(
                base_url=f"http://127.0.0.1:{port}"
            )
        body = cart(
            till, (soda.pk, "1"), tenders=[{"method": "mpesa", "amount": "100", "payer": SUCCESS}]
        )
        sale = _sell(cashier_client, body, django_capture_on_commit_callbacks)

        contacted, _, _ = select.select([listener], [], [], 0.3)
        assert contacted == []
    finally:
        listener.close()
    refused = cashier_client.get(tenant_path("sales:sale-detail", sale_uuid=sale["uuid"])).json()
    assert refused["status"] == "awaiting_payment"
    assert (refused["tenders"][0]["status"], refused["tenders"][0]["payment_status"]) == (
        "failed", "failed"
    )  # fmt: skip
    with schema_context(business.schema_name):
        assert Payment.objects.get().result_code == "destination_refused"
    retried = cashier_client.post(
        tenant_path(
            "sales:sale-tender-retry", sale_uuid=sale["uuid"], tender_id=refused["tenders"][0]["id"]
        ),
        {"method": "cash", "amount": "100"},
        content_type="application/json",
    )
    assert retried.json()["status"] == "completed"
