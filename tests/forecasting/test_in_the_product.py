"""Forecasts in the product: asked for by the owner (402 on a plan without forecasting), trained
on the business's own sales, stored with the backtest's MASE, served per product and location,
turned into reorder suggestions and drafted purchase orders; another business sees none of it.

Sales history is written as rows (what checkouts leave behind; checkout has its own tests): a
weekly pattern per product over 120 days."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import lightgbm
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context
from moneyed import Money

from billing.models import UsageEvent
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role
from tenant_apps.catalog.models import Barcode, Product
from tenant_apps.forecasting.models import ForecastRun, ProductForecast
from tenant_apps.forecasting.services import forecast_run_execute
from tenant_apps.inventory.models import Location, StockLevel
from tenant_apps.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier
from tenant_apps.sales.models import Register, Sale, SaleLine, SaleStatus
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

DAYS = 120
_receipts = itertools.count(1)


def _history(tenant: Tenant, products: list[Product]) -> None:
    """``DAYS`` days of sales: product i sells about (i + 2) units on weekdays, double on
    Saturdays, give or take one (a pattern with no noise would leave seasonal naive no error
    to scale MASE by)."""
    noise = random.Random(7)  # noqa: S311 (test data, not secrets)
    money = lambda v: Money(Decimal(v), tenant.currency)  # noqa: E731
    with tenant_context(tenant):
        till = Register.objects.get(code="TILL1")
        now = timezone.now()
        sales, lines = [], []
        for day in range(1, DAYS + 1):
            moment = now - timedelta(days=day)
            for index, _product in enumerate(products):
                units = (index + 2) * (2 if moment.weekday() == 5 else 1) + noise.randint(0, 2)
                total = money(units * 100)
                sales.append(Sale(
                    register=till, status=SaleStatus.COMPLETED, receipt_number=next(_receipts),
                    prices_include_tax=True, subtotal=total, discount_total=money(0),
                    tax_total=money(0), total=total, paid_total=total, change_due=money(0),
                    cost_total=money(0), completed_at=moment,
                ))  # fmt: skip
        Sale.objects.bulk_create(sales)
        for sale, (_day, product) in zip(
            sales, itertools.product(range(1, DAYS + 1), products), strict=True
        ):
            units = sale.total.amount / 100
            lines.append(SaleLine(
                sale=sale, line_no=1, product=product, description=product.name,
                quantity=units, unit_price=money(100), discount=money(0), tax_rate=Decimal(0),
                list_net=sale.total, discount_net=money(0), net=sale.total, tax=money(0),
                gross=sale.total, cost=money(0),
            ))  # fmt: skip
        SaleLine.objects.bulk_create(lines)


@pytest.fixture
def stocked(business: Tenant, make_product: Callable[..., Product]) -> list[Product]:
    products = [make_product(name=f"Item {n}") for n in range(3)]
    _history(business, products)
    return products


def _request(client: Client) -> Any:
    return client.post(tenant_path("forecasting:run-list"))


def test_a_plan_without_forecasting_is_refused_with_402_and_nothing_queued(
    make_tenant: Callable[..., Tenant], jwt_client: Callable[[Tenant, str], Client]
) -> None:
    starter = make_tenant()  # signup's trial of Starter: no forecasting

    answer = _request(jwt_client(starter, starter.owner_email))

    assert answer.status_code == 402
    error = answer.json()["error"]
    assert error["code"] == "plan_limit"
    assert error["fields"]["limit"][0]["code"] == "forecasting"
    assert error["fields"]["cheapest_plan"][0]["code"] == "growth"
    with tenant_context(starter):
        assert not ForecastRun.objects.exists()


def test_the_owner_trains_and_reads_forecasts_with_their_mase(
    business: Tenant,
    stocked: list[Product],
    owner_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    queued = _request(owner_client)
    again = _request(owner_client)
    assert (queued.status_code, queued.json()["status"]) == (202, "queued")
    assert again.json()["id"] == queued.json()["id"]  # one run at a time

    with tenant_context(business), django_capture_on_commit_callbacks(execute=True):
        done = forecast_run_execute(run_id=queued.json()["id"])
        twice = forecast_run_execute(run_id=queued.json()["id"])  # a second delivery

    assert done is not None and twice is None
    run = owner_client.get(tenant_path("forecasting:run-detail", run_id=done.pk)).json()
    assert (run["status"], run["progress"], run["series"]) == ("done", 100, 3)
    assert run["mase"] is not None and run["mase_naive"] is not None
    assert run["mase"] < run["mase_naive"]  # a clean weekly pattern: the model learns it
    page = owner_client.get(
        tenant_path("forecasting:forecast-list"), {"product": stocked[2].pk, "limit": 100}
    ).json()
    assert page["count"] == 28 and page["run"]["id"] == done.pk
    saturday = [r for r in page["results"] if _weekday(r["day"]) == 5]
    weekday = [r for r in page["results"] if _weekday(r["day"]) == 1]
    assert Decimal(saturday[0]["p50"]) > Decimal(weekday[0]["p50"])  # it learnt Saturdays
    assert all(Decimal(r["p50"]) <= Decimal(r["p90"]) for r in page["results"])
    # the method the engine served this product, the same every day
    assert len({r["method"] for r in page["results"]}) == 1
    assert page["results"][0]["method"] in {"lightgbm", "blend", "seasonal_naive"}
    with tenant_context(business):
        stored = ForecastRun.objects.get(pk=done.pk)
        assert default_storage.exists(stored.forecast_file)
        assert business.schema_name in default_storage.path(stored.forecast_file)
        assert set(stored.model_files) == {"p50", "p90"}
        # The model the forecasts came from, kept under the business's own prefix.
        model_path = default_storage.path(stored.model_files["p50"])
        assert business.schema_name in model_path
        booster = lightgbm.Booster(model_file=model_path)
        assert booster.num_trees() > 0
    assert UsageEvent.objects.filter(tenant=business, metric_code="forecast_runs").count() == 1


def _weekday(day: str) -> int:
    return date.fromisoformat(day).weekday()


def test_reorder_suggestions_round_to_the_pack_and_draft_orders_per_supplier(
    business: Tenant, stocked: list[Product], owner_client: Client
) -> None:
    with tenant_context(business):
        forecast_run_execute(run_id=ForecastRun.objects.create().pk)
        store = Location.objects.get(code="STORE")
        supplier = Supplier.objects.create(name="Bidco", lead_time_days=7)
        ordered, never = stocked[2], stocked[0]
        old = PurchaseOrder.objects.create(
            reference="PO-OLD", supplier=supplier, destination=store, status="closed"
        )
        PurchaseOrderLine.objects.create(
            order=old, product=ordered, quantity_ordered=Decimal(1),
            unit_cost=Money(Decimal(50), business.currency),
        )  # fmt: skip
        Barcode.objects.create(code="BOX-12", product=ordered, symbology="ean13",
                               pack_quantity=Decimal(12))  # fmt: skip
        StockLevel.objects.filter(product__in=stocked).update(quantity=Decimal(5))

    rows = owner_client.get(tenant_path("forecasting:reorder-list")).json()["results"]
    by_product = {r["product_id"]: r for r in rows}
    mine = by_product[ordered.pk]
    drafted = owner_client.post(tenant_path("forecasting:reorder-draft"), {},
                                content_type="application/json")  # fmt: skip

    needed = Decimal(mine["lead_time_demand"]) + Decimal(mine["safety_stock"]) - Decimal(5)
    assert (mine["supplier_id"], mine["lead_time_days"]) == (supplier.pk, 7)
    assert Decimal(mine["pack_size"]) == 12
    assert Decimal(mine["quantity"]) % 12 == 0
    assert needed <= Decimal(mine["quantity"]) < needed + 12
    assert by_product[never.pk]["supplier_id"] is None
    assert drafted.status_code == 201, drafted.content
    (order,) = drafted.json()
    assert order["status"] == "draft" and order["supplier"]["id"] == supplier.pk
    assert [
        (line["product"]["id"], Decimal(line["quantity_ordered"])) for line in order["lines"]
    ] == [(ordered.pk, Decimal(mine["quantity"]))]


def test_another_business_sees_none_of_it_and_a_cashier_cannot_train(
    business: Tenant,
    stocked: list[Product],
    make_tenant: Callable[..., Tenant],
    jwt_client: Callable[[Tenant, str], Client],
    tenant_client: Callable[[Tenant], Client],
    staff_client: Callable[[str], Client],
) -> None:
    with tenant_context(business):
        run = ForecastRun.objects.create()
        forecast_run_execute(run_id=run.pk)
    other = make_tenant(business_name="Beta Stores")
    intruder = jwt_client(other, other.owner_email)

    theirs = intruder.get(tenant_path("forecasting:forecast-list")).json()
    by_id = intruder.get(tenant_path("forecasting:run-detail", run_id=run.pk))
    # B's owner's token on A's host.
    cross_host = tenant_client(business)
    cross_host.defaults["HTTP_AUTHORIZATION"] = intruder.defaults["HTTP_AUTHORIZATION"]
    stolen = cross_host.get(tenant_path("forecasting:forecast-list"))
    cashier = _request(staff_client(Role.CASHIER))

    assert (theirs["count"], theirs["run"]) == (0, None)
    assert by_id.status_code == 404
    assert stolen.status_code in (401, 403)
    assert cashier.status_code == 403
    with tenant_context(business):
        assert ProductForecast.objects.filter(run=run).count() == 3 * 28


def test_a_product_s_page_charts_eight_weeks_sold_and_the_28_days_forecast(
    business: Tenant,
    stocked: list[Product],
    member: Callable[..., Any],
    owner_client: Client,
    session_client: Callable[[Tenant, str], Client],
) -> None:
    with tenant_context(business):
        run = forecast_run_execute(run_id=ForecastRun.objects.create().pk)
        assert run is not None
        store = Location.objects.get(code="STORE")
        item = stocked[2]
        days = list(ProductForecast.objects.filter(run=run, product=item).order_by("day"))
        StockLevel.objects.update_or_create(
            product=item, location=store, defaults={"quantity": Decimal(25), "reserved": 5}
        )
    path = tenant_path("forecasting-page:product", product=item.pk, location=store.pk)
    owner = session_client(business, business.owner_email)
    cashier = session_client(business, member(business, Role.CASHIER).email)

    answer = owner.get(path)
    refused = cashier.get(path)
    missing = owner.get(tenant_path("forecasting-page:product", product=987654, location=store.pk))

    assert answer.status_code == 200
    html = answer.content.decode()
    chart = answer.context["chart"]
    # eight weeks sold (every day of them had a sale), the forecast's 28 days, its band
    assert len(chart.past.split()) == 56 and len(chart.median.split()) == 28
    assert len(chart.band.split()) == 56
    assert f'points="{chart.median}"' in html
    assert html.count("<tr><td>") == 28
    week = sum((day.p50 for day in days[:7]), Decimal(0))
    assert answer.context["week"]["p50"] == week
    # 20 available (25 less 5 reserved) last as many whole days as the median covers
    running, covered = Decimal(20), 0
    while running - days[covered].p50 >= 0:
        running -= days[covered].p50
        covered += 1
    assert (answer.context["available"], answer.context["cover"]) == (20, covered)
    assert f"lasts about {covered} day" in html
    # what to order, as the reorder list says it
    listed = owner_client.get(tenant_path("forecasting:reorder-list")).json()["results"]
    (mine,) = [r for r in listed if r["product_id"] == item.pk]
    one = owner_client.get(tenant_path("forecasting:reorder-list"), {"product": item.pk}).json()
    assert one["results"] == [mine] and len(listed) > 1
    assert answer.context["suggestion"].quantity == Decimal(mine["quantity"]) > 0
    assert 'id="to-order"><strong>' in html
    assert f"{week:.1f}".rstrip("0").rstrip(".") in html
    assert refused.status_code == 403 and "<svg" not in refused.content.decode()
    assert missing.status_code == 404


def test_any_forecast_product_is_found_by_name_or_sku_on_the_page(
    business: Tenant, stocked: list[Product], session_client: Callable[[Tenant, str], Client]
) -> None:
    with tenant_context(business):
        run = forecast_run_execute(run_id=ForecastRun.objects.create().pk)
        assert run is not None
        store = Location.objects.get(code="STORE")
    owner = session_client(business, business.owner_email)
    overview = tenant_path("forecasting-page:overview")

    by_name = owner.get(overview, {"q": "item 1"})
    by_sku = owner.get(overview, {"q": stocked[2].sku.lower()})
    nothing = owner.get(overview, {"q": "zzz"})

    link = tenant_path("forecasting-page:product", product=stocked[1].pk, location=store.pk)
    assert [f["product_id"] for f in by_name.context["found"]] == [stocked[1].pk]
    assert f'href="{link}"' in by_name.content.decode()
    assert [f["product_id"] for f in by_sku.context["found"]] == [stocked[2].pk]
    with tenant_context(business):
        week = ProductForecast.objects.filter(run=run, product=stocked[2]).order_by("day")[:7]
        assert by_sku.context["found"][0]["week"] == sum((d.p50 for d in week), Decimal(0))
    assert nothing.context["found"] == []
    assert "No forecast product matches" in nothing.content.decode()
