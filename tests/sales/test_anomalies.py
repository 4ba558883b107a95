"""Anomaly signals: each cashier's voids, refunds, discounts, price overrides and no-sale
drawer openings per sale, against the business's norm (robust z-score), with the evidence.

The sales are written as rows (the signals read what the sales services leave behind; those
services have their own tests); the no-sale key is used through the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context
from moneyed import Money

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role, User
from tenant_apps.catalog.models import Product
from tenant_apps.sales.anomalies import MIN_CASHIERS, Z_FLAG, is_flagged, robust_z_scores
from tenant_apps.sales.models import Register, Sale, SaleLine, SaleStatus
from tests.support.sales import sale_row
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

# --- the statistic, without a database ----------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "sales", "outlier_z", "others_below"),
    [
        # A spread of rates (MAD > 0): the cashier at 30 % stands far out of 2-4 %.
        ([2, 3, 4, 3, 30], [100, 100, 100, 100, 100], 15.0, 0.7),
        # Nobody else voids at all (MAD = 0): the pooled-rate spread still finds seven voids.
        ([0, 0, 0, 0, 7], [100, 100, 100, 100, 100], 4.5, 0.0),
    ],
)
def test_the_robust_z_score_finds_the_one_cashier_far_from_the_norm(
    counts: list[int], sales: list[int], outlier_z: float, others_below: float
) -> None:
    scores = robust_z_scores(counts, sales)

    assert scores[-1] is not None and scores[-1] > outlier_z
    assert all(z is not None and z <= others_below for z in scores[:-1])


def test_one_void_among_few_sales_is_no_signal_and_two_cashiers_have_no_norm() -> None:
    (*_, lone) = robust_z_scores([0, 0, 0, 1], [50, 50, 50, 5])
    assert lone is not None and lone > Z_FLAG  # a high rate...
    assert not is_flagged(lone, 1)  # ...but one event is no signal
    assert is_flagged(lone, 3)
    assert robust_z_scores([0, 9], [10, 10]) == [None] * (MIN_CASHIERS - 1)


def test_a_single_outlier_cannot_move_the_norm() -> None:
    # The median and MAD of the others decide the spread: adding a wilder outlier changes
    # nothing for them.
    calm = robust_z_scores([2, 3, 4, 3, 30], [100] * 5)
    wild = robust_z_scores([2, 3, 4, 3, 90], [100] * 5)
    assert calm[:4] == wild[:4]


# --- from the owner's side ----------------------------------------------------------------


@pytest.fixture
def shop(
    business: Tenant, member: Callable[..., User], make_product: Callable[..., Product]
) -> dict[str, Any]:
    """Four cashiers with 40 sales each; the fourth voids 8 of theirs, discounts 10 and
    overrides prices on 6; the others void one each."""
    cashiers = [member(business, Role.CASHIER) for _ in range(4)]
    product = make_product()
    with tenant_context(business):
        till = Register.objects.get(code="TILL1")
        for index, cashier in enumerate(cashiers):
            suspicious = index == 3
            for n in range(40):
                voided = (suspicious and n < 8) or (not suspicious and n == 0)
                sale = sale_row(
                    till,
                    cashier,
                    discount_total=Money(Decimal(25 if suspicious and n < 10 else 0), "KES"),
                    **(
                        {
                            "status": SaleStatus.VOIDED,
                            "voided_at": timezone.now() - timedelta(minutes=30),
                            "voided_by": cashier,
                            "void_reason": "customer changed mind",
                        }
                        if voided
                        else {}
                    ),
                )
                if suspicious and 10 <= n < 16:
                    _override(sale, product)
    return {"tenant": business, "cashiers": cashiers}


def _override(sale: Sale, product: Product) -> None:
    price = Money(Decimal("250"), "KES")
    zero = Money(Decimal(0), "KES")
    SaleLine.objects.create(
        sale=sale, line_no=1, product=product, description=product.name, quantity=Decimal(1),
        unit_price=price, price_overridden=True, discount=zero, tax_rate=Decimal(0),
        list_net=price, discount_net=zero, net=price, tax=zero, gross=price, cost=zero,
    )  # fmt: skip


def _report(client: Client, **params: str) -> Any:
    return client.get(tenant_path("sales:anomaly-report"), params)


def test_the_owner_sees_the_one_cashier_who_voids_discounts_and_overrides_far_more(
    shop: dict[str, Any], owner_client: Client
) -> None:
    answer = _report(owner_client)

    assert answer.status_code == 200, answer.content
    body = answer.json()
    rows = {row["email"]: row for row in body["cashiers"]}
    odd = rows[shop["cashiers"][3].email]
    assert sorted(odd["flagged"]) == ["discounts", "price_overrides", "voids"]
    assert (odd["sales"], odd["metrics"]["voids"]["count"]) == (40, 8)
    assert odd["metrics"]["voids"]["rate"] == pytest.approx(0.2)
    for calm in shop["cashiers"][:3]:
        assert rows[calm.email]["flagged"] == []
        assert rows[calm.email]["metrics"]["voids"]["count"] == 1
    assert body["norm"]["voids"] == pytest.approx(1 / 40)


def test_each_signal_comes_with_the_sales_behind_it(
    shop: dict[str, Any], owner_client: Client
) -> None:
    odd = shop["cashiers"][3]
    path = tenant_path("sales:anomaly-evidence", cashier_id=odd.pk, metric="voids")

    answer = owner_client.get(path)

    assert answer.status_code == 200, answer.content
    page = answer.json()
    assert page["count"] == 8
    assert {item["detail"] for item in page["results"]} == {"Voided: customer changed mind"}
    with tenant_context(shop["tenant"]):
        voided = set(Sale.objects.filter(voided_by=odd).values_list("receipt_number", flat=True))
    assert {item["receipt_number"] for item in page["results"]} == voided


def test_no_sale_drawer_openings_through_the_till_count_against_who_opened(
    business: Tenant,
    member: Callable[..., User],
    jwt_client: Callable[[Tenant, str], Client],
    owner_client: Client,
    open_shift: int,
) -> None:
    people = [member(business, Role.CASHIER) for _ in range(4)]
    with tenant_context(business):
        till = Register.objects.get(code="TILL1")
        for person in people:
            for _ in range(30):
                sale_row(till, person)
    for index, person in enumerate(people):
        client = jwt_client(business, person.email)
        for n in range(9 if index == 0 else 0):
            opened = client.post(
                tenant_path("sales:shift-no-sale", shift_id=open_shift),
                {"reason": f"change for a note {n}"},
                content_type="application/json",
            )
            assert opened.status_code == 201, opened.content
    blank = jwt_client(business, people[1].email).post(
        tenant_path("sales:shift-no-sale", shift_id=open_shift),
        {"reason": "  "},
        content_type="application/json",
    )

    rows = {row["email"]: row for row in _report(owner_client).json()["cashiers"]}
    evidence = owner_client.get(
        tenant_path("sales:anomaly-evidence", cashier_id=people[0].pk, metric="no_sales")
    ).json()

    assert blank.status_code == 400
    assert rows[people[0].email]["flagged"] == ["no_sales"]
    assert rows[people[0].email]["metrics"]["no_sales"]["count"] == 9
    assert all(rows[p.email]["metrics"]["no_sales"]["count"] == 0 for p in people[1:])
    assert evidence["count"] == 9
    assert evidence["results"][0]["detail"] == "No sale: change for a note 0"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASHIER, Role.ACCOUNTANT])
def test_only_the_owner_reads_the_signals(role: str, staff_client: Callable[[str], Client]) -> None:
    answer = _report(staff_client(role))

    assert answer.status_code == 403
    assert answer.json()["error"]["code"]


def test_an_unknown_metric_is_404_and_a_reversed_period_400(owner_client: Client) -> None:
    unknown = owner_client.get(tenant_path("sales:anomaly-evidence", cashier_id=1, metric="smiles"))
    reversed_period = _report(owner_client, start="2026-12-07", end="2026-12-01")

    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "metric_not_found")
    assert reversed_period.status_code == 400


# --- on the owner's forecasting page ------------------------------------------------------


def test_the_page_links_each_count_to_the_sales_behind_it_with_their_receipts(
    shop: dict[str, Any], session_client: Callable[[Tenant, str], Client]
) -> None:
    tenant, odd = shop["tenant"], shop["cashiers"][3]
    owner = session_client(tenant, tenant.owner_email)
    evidence_path = tenant_path("forecasting-page:cashier-evidence", person=odd.pk, metric="voids")

    overview = owner.get(tenant_path("forecasting-page:overview"))
    evidence = owner.get(evidence_path)

    assert overview.status_code == 200
    assert f'href="{evidence_path}" class="flagged-count">8<' in overview.content.decode()
    assert evidence.status_code == 200
    html = evidence.content.decode()
    assert html.count("Voided: customer changed mind") == 8
    with tenant_context(tenant):
        receipts = Sale.objects.filter(voided_by=odd).values_list("receipt_number", "uuid")
        for number, uuid in receipts:
            assert f"/r/{uuid}/" in html and f">{number}</a>" in html
    assert "250.00" in html


def test_only_the_owner_opens_the_evidence_and_unknown_signals_are_404(
    shop: dict[str, Any],
    member: Callable[..., User],
    session_client: Callable[[Tenant, str], Client],
) -> None:
    tenant, odd = shop["tenant"], shop["cashiers"][3]
    owner = session_client(tenant, tenant.owner_email)
    manager = session_client(tenant, member(tenant, Role.MANAGER).email)

    refused = manager.get(
        tenant_path("forecasting-page:cashier-evidence", person=odd.pk, metric="voids")
    )
    unknown_metric = owner.get(
        tenant_path("forecasting-page:cashier-evidence", person=odd.pk, metric="smiles")
    )
    unknown_person = owner.get(
        tenant_path("forecasting-page:cashier-evidence", person=987654, metric="voids")
    )

    assert refused.status_code == 403
    assert "Voided" not in refused.content.decode()
    assert (unknown_metric.status_code, unknown_person.status_code) == (404, 404)
