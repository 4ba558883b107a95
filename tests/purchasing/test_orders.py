"""Purchase orders from draft to closed, and the goods received against them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from saas_platform.tenancy import business_today
from tenant_apps.inventory.models import Batch, MovementReason, StockLevel, StockMovement
from tenant_apps.purchasing.models import GoodsReceipt, OrderStatus, PurchaseOrder
from tests.purchasing.conftest import Shop, placed_order, post, stock_state
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

ORDERS = tenant_path("purchasing:purchase-order-list")


def order_state(shop: Shop, order_id: int) -> tuple[str, list[tuple[Decimal, Decimal]]]:
    with tenant_context(shop.tenant):
        order = PurchaseOrder.objects.get(pk=order_id)
        return order.status, [
            (li.quantity_ordered, li.quantity_received) for li in order.lines.all()
        ]


def receive(client: Client, order_id: int, *lines: dict[str, Any], **extra: Any) -> Any:
    goods_receipt_list_path = tenant_path("purchasing:goods-receipt-list", order_id=order_id)
    return post(client, goods_receipt_list_path, {"lines": list(lines), **extra})


def test_full_lifecycle_from_draft_to_closed(shop: Shop, api: Client) -> None:
    # given a draft order for sugar at the supplier's usual cost and rice at a quoted cost
    created = post(
        api,
        ORDERS,
        {
            "supplier": shop.supplier.pk,
            "destination": shop.warehouse.pk,
            "lines": [
                {"product": shop.sugar.pk, "quantity": "10"},
                {"product": shop.rice.pk, "quantity": "4", "unit_cost": "240.5"},
            ],
        },
    )
    assert created.status_code == 201, created.content
    order = created.json()
    assert order["reference"] == "PO-00001"
    assert order["status"] == "draft"
    assert [line["unit_cost"] for line in order["lines"]] == [
        {"amount": "120.00", "currency": "KES"},
        {"amount": "240.50", "currency": "KES"},
    ]

    # when the draft is edited: 12 bags of sugar instead of 10, no rice
    edited = api.patch(
        tenant_path("purchasing:purchase-order-detail", order_id=order["id"]),
        {"lines": [{"product": shop.sugar.pk, "quantity": "12", "unit_cost": "118"}]},
        content_type="application/json",
    )
    assert edited.status_code == 200, edited.content
    [line] = edited.json()["lines"]
    assert line["quantity_ordered"] == "12.000"

    # then placing it sets the expected date from the supplier's 5-day lead time
    placed = post(api, tenant_path("purchasing:purchase-order-place", order_id=order["id"]))
    assert placed.status_code == 200, placed.content
    with tenant_context(shop.tenant):
        expected = business_today() + timedelta(days=5)
    assert placed.json()["status"] == "ordered"
    assert placed.json()["expected_on"] == expected.isoformat()

    # a placed order can no longer be edited
    purchase_order_detail_path = tenant_path(
        "purchasing:purchase-order-detail", order_id=order["id"]
    )
    refused = api.patch(purchase_order_detail_path, {"note": "x"}, content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "order_not_draft"

    # when 5 arrive, then 7
    first = receive(api, order["id"], {"line": line["id"], "quantity": "5", "lot_code": "L1"})
    assert first.status_code == 201, first.content
    assert first.json()["reference"] == "GRN-00001"
    assert order_state(shop, order["id"]) == ("partially_received", [(Decimal(12), Decimal(5))])
    second = receive(api, order["id"], {"line": line["id"], "quantity": "7", "unit_cost": "119"})
    assert second.status_code == 201, second.content
    assert order_state(shop, order["id"]) == ("received", [(Decimal(12), Decimal(12))])

    # then stock rose by 12 in two batches, each at the cost it came at
    with tenant_context(shop.tenant):
        level = StockLevel.objects.get(product=shop.sugar, location=shop.warehouse)
        batches = list(Batch.objects.filter(product=shop.sugar).order_by("pk"))
        movements = StockMovement.objects.filter(product=shop.sugar, reason=MovementReason.RECEIPT)
        assert level.quantity == Decimal(12)
        assert [(b.quantity_received, b.unit_cost.amount, b.lot_code) for b in batches] == [
            (Decimal(5), Decimal("118.0000"), "L1"),
            (Decimal(7), Decimal("119.0000"), ""),
        ]
        assert sorted(m.reference for m in movements) == ["GRN-00001", "GRN-00002"]
    assert first.json()["lines"][0]["batch"] == batches[0].pk

    goods_receipt_list_path = tenant_path("purchasing:goods-receipt-list", order_id=order["id"])
    receipts = api.get(goods_receipt_list_path).json()["results"]
    assert [r["reference"] for r in receipts] == ["GRN-00002", "GRN-00001"]

    # and a received order can be closed, but no longer cancelled
    purchase_order_cancel_path = tenant_path(
        "purchasing:purchase-order-cancel", order_id=order["id"]
    )
    assert post(api, purchase_order_cancel_path).status_code == 409
    closed = post(api, tenant_path("purchasing:purchase-order-close", order_id=order["id"]))
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"


def test_closing_a_partly_received_order_gives_up_on_the_rest(shop: Shop, api: Client) -> None:
    order = placed_order(shop, (shop.sugar, "10", "100"))
    line_id = order_line_ids(shop, order.pk)[0]
    assert receive(api, order.pk, {"line": line_id, "quantity": "4"}).status_code == 201

    closed = post(api, tenant_path("purchasing:purchase-order-close", order_id=order.pk))

    assert closed.status_code == 200
    assert order_state(shop, order.pk) == ("closed", [(Decimal(10), Decimal(4))])
    late = receive(api, order.pk, {"line": line_id, "quantity": "1"})
    assert late.status_code == 409
    assert order_state(shop, order.pk) == ("closed", [(Decimal(10), Decimal(4))])


def order_line_ids(shop: Shop, order_id: int) -> list[int]:
    with tenant_context(shop.tenant):
        return list(PurchaseOrder.objects.get(pk=order_id).lines.values_list("pk", flat=True))


def test_receiving_more_than_outstanding_is_refused_and_changes_nothing(
    shop: Shop, api: Client
) -> None:
    # given an order for 10 sugar and 3 rice, of which 8 sugar already arrived
    order = placed_order(shop, (shop.sugar, "10", "100"), (shop.rice, "3", "200"))
    sugar_line, rice_line = order_line_ids(shop, order.pk)
    assert receive(api, order.pk, {"line": sugar_line, "quantity": "8"}).status_code == 201
    before_stock = stock_state(shop)
    before_order = order_state(shop, order.pk)

    # when a delivery claims 3 rice (fine) and 3 more sugar (only 2 outstanding)
    response = receive(
        api,
        order.pk,
        {"line": rice_line, "quantity": "3"},
        {"line": sugar_line, "quantity": "3"},
    )

    # then it is refused, naming the line, and nothing was received
    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == ["lines[1].quantity"]
    assert error["fields"]["lines[1].quantity"][0]["code"] == "exceeds_outstanding"
    assert "Only 2 of Sugar 1 kg" in error["message"]
    assert stock_state(shop) == before_stock
    assert order_state(shop, order.pk) == before_order
    with tenant_context(shop.tenant):
        assert GoodsReceipt.objects.count() == 1


def test_receipt_lines_must_belong_to_the_order(shop: Shop, api: Client) -> None:
    order = placed_order(shop, (shop.sugar, "10", "100"))
    other = placed_order(shop, (shop.rice, "10", "100"))
    before = stock_state(shop)

    response = receive(api, order.pk, {"line": order_line_ids(shop, other.pk)[0], "quantity": "1"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["lines[0].line"][0]["code"] == "does_not_exist"
    assert stock_state(shop) == before


@pytest.mark.parametrize("action", ["draft", "cancelled"])
def test_receiving_on_a_draft_or_cancelled_order_conflicts(
    shop: Shop, api: Client, action: str
) -> None:
    created = post(
        api,
        ORDERS,
        {
            "supplier": shop.supplier.pk,
            "destination": shop.warehouse.pk,
            "lines": [{"product": shop.sugar.pk, "quantity": "5"}],
        },
    ).json()
    if action == "cancelled":
        purchase_order_cancel_path = tenant_path(
            "purchasing:purchase-order-cancel", order_id=created["id"]
        )
        assert post(api, purchase_order_cancel_path).json()["status"] == "cancelled"
    before = stock_state(shop)

    response = receive(api, created["id"], {"line": created["lines"][0]["id"], "quantity": "1"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "order_not_receivable"
    assert stock_state(shop) == before
    assert order_state(shop, created["id"]) == (action, [(Decimal(5), Decimal(0))])


def test_an_order_with_goods_received_cannot_be_cancelled(shop: Shop, api: Client) -> None:
    order = placed_order(shop, (shop.sugar, "10", "100"))
    receive(api, order.pk, {"line": order_line_ids(shop, order.pk)[0], "quantity": "1"})

    response = post(api, tenant_path("purchasing:purchase-order-cancel", order_id=order.pk))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "order_not_cancellable"
    assert order_state(shop, order.pk) == ("partially_received", [(Decimal(10), Decimal(1))])


def test_a_placed_order_with_nothing_received_can_be_cancelled(shop: Shop, api: Client) -> None:
    order = placed_order(shop, (shop.sugar, "10", "100"))

    response = post(api, tenant_path("purchasing:purchase-order-cancel", order_id=order.pk))

    assert response.status_code == 200
    assert order_state(shop, order.pk)[0] == "cancelled"
    purchase_order_close_path = tenant_path("purchasing:purchase-order-close", order_id=order.pk)
    assert post(api, purchase_order_close_path).status_code == 409


def test_a_receipt_sent_twice_with_one_key_is_applied_once(shop: Shop, api: Client) -> None:
    order = placed_order(shop, (shop.sugar, "10", "100"))
    line = {"line": order_line_ids(shop, order.pk)[0], "quantity": "4"}

    first = receive(api, order.pk, line, idempotency_key="scan-7f3a")
    again = receive(api, order.pk, line, idempotency_key="scan-7f3a")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    with tenant_context(shop.tenant):
        assert GoodsReceipt.objects.count() == 1
        assert Batch.objects.count() == 1
        assert StockLevel.objects.get(product=shop.sugar).quantity == Decimal(4)
    assert order_state(shop, order.pk) == ("partially_received", [(Decimal(10), Decimal(4))])


def test_a_key_reused_for_another_order_conflicts(shop: Shop, api: Client) -> None:
    first = placed_order(shop, (shop.sugar, "10", "100"))
    second = placed_order(shop, (shop.rice, "10", "100"))
    receive(api, first.pk, {"line": order_line_ids(shop, first.pk)[0], "quantity": "1"},
            idempotency_key="k1")  # fmt: skip
    before = stock_state(shop)

    response = receive(
        api, second.pk, {"line": order_line_ids(shop, second.pk)[0], "quantity": "1"},
        idempotency_key="k1",
    )  # fmt: skip

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert stock_state(shop) == before


def test_only_sellable_stock_items_can_be_ordered(shop: Shop, api: Client) -> None:
    response = post(
        api,
        ORDERS,
        {
            "supplier": shop.supplier.pk,
            "destination": shop.warehouse.pk,
            "lines": [
                {"product": shop.delivery.pk, "quantity": "1"},
                {"product": shop.shirt.pk, "quantity": "1"},
                {"product": shop.sugar.pk, "quantity": "0"},
                {"product": 999999, "quantity": "1"},
            ],
        },
    )

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {name: [e["code"] for e in errors] for name, errors in fields.items()} == {
        "lines[0].product": ["not_stocked"],
        "lines[1].product": ["variant_parent"],
        "lines[2].quantity": ["not_positive"],
        "lines[3].product": ["does_not_exist"],
    }
    with tenant_context(shop.tenant):
        assert not PurchaseOrder.objects.exists()


def test_an_empty_draft_cannot_be_placed(shop: Shop, api: Client) -> None:
    created = post(api, ORDERS, {"supplier": shop.supplier.pk, "destination": shop.warehouse.pk})

    purchase_order_place_path = tenant_path(
        "purchasing:purchase-order-place", order_id=created.json()["id"]
    )
    response = post(api, purchase_order_place_path)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "order_empty"
    assert order_state(shop, created.json()["id"]) == (OrderStatus.DRAFT, [])
