"""Bringing a business's sales from before Duka: a CSV import the forecasts learn from.

All or nothing, each problem reported by row and column; a day imported again replaces it;
the history must end before the first sale in Duka; nobody else's history is reachable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context
from moneyed import Money

from saas_platform.tenancy import business_today, business_zone
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role
from tenant_apps.catalog.models import Product
from tenant_apps.forecasting.history import sales_history
from tenant_apps.forecasting.models import ForecastRun, ProductForecast, SalesHistoryDay
from tenant_apps.forecasting.services import forecast_run_execute
from tenant_apps.inventory.models import Location
from tenant_apps.sales.models import Register, Sale, SaleStatus
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

HISTORY = tenant_path("forecasting:history-import")


def _csv(rows: list[str], header: str = "date,sku,location,units,gross,discount") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=n) for n in range(count)]


def _today(business: Tenant) -> date:
    with tenant_context(business):
        return business_today()


def _post(client: Client, content: bytes) -> dict:
    return client.post(HISTORY, content, content_type="text/csv").json()


@pytest.fixture
def products(make_product: Callable[..., Product]) -> list[Product]:
    return [make_product(name="Maize flour 2kg"), make_product(name="Sugar 1kg")]


def test_the_owner_imports_history_that_the_forecasts_then_learn_from(
    business: Tenant, products: list[Product], owner_client: Client
) -> None:
    flour, sugar = products
    start = _today(business) - timedelta(days=200)
    # Flour: 10 a day, 20 on Saturdays, one promotion day with 15 off; sugar on weekdays only.
    rows = []
    for day in _days(start, 180):
        units = 20 if day.weekday() == 5 else 10
        discount = "15.00" if day == start + timedelta(days=30) else ""
        rows.append(f"{day.isoformat()},{flour.sku},STORE,{units},{units * 10},{discount}")
        if day.weekday() < 5:
            rows.append(f"{day.isoformat()},{sugar.sku},,3,45.50,0")
    upload = SimpleUploadedFile("history.csv", _csv(rows), content_type="text/csv")

    answer = owner_client.post(HISTORY, {"file": upload})
    shown = owner_client.get(HISTORY).json()

    assert answer.status_code == 200, answer.content
    assert answer.json() == shown
    assert shown["days"] == len(rows)
    assert shown["products"] == 2
    assert shown["first_day"] == start.isoformat()
    assert shown["last_day"] == (start + timedelta(days=179)).isoformat()
    with tenant_context(business):
        store = Location.objects.get(code="STORE")
        frame = sales_history()
        flour_rows = frame[frame["unique_id"] == f"{flour.pk}:{store.pk}"]
        sugar_rows = frame[frame["unique_id"] == f"{sugar.pk}:{store.pk}"]
        promo = flour_rows[flour_rows["ds"] == str(start + timedelta(days=30))]
        assert flour_rows["y"].sum() == sum(
            20 if d.weekday() == 5 else 10 for d in _days(start, 180)
        )
        # Weekends without a sugar sale are days of zero, not unknown, up to yesterday.
        assert len(sugar_rows) == (_today(business) - timedelta(days=1) - start).days + 1
        assert sugar_rows["y"].sum() == 3 * sum(1 for d in _days(start, 180) if d.weekday() < 5)
        assert promo["discount"].iloc[0] == pytest.approx(15 / (promo["y"].iloc[0] * 10 + 15))
        run = ForecastRun.objects.create()
        forecast_run_execute(run_id=run.pk)
        run.refresh_from_db()
        assert run.status == "done", run.error
        assert ProductForecast.objects.filter(run=run, product=flour).count() == 28


def test_a_day_imported_again_is_replaced_and_clearing_removes_it_all(
    business: Tenant, products: list[Product], owner_client: Client
) -> None:
    flour = products[0]
    day = (_today(business) - timedelta(days=10)).isoformat()
    _post(owner_client, _csv([f"{day},{flour.sku},STORE,5,50,"]))

    again = _post(owner_client, _csv([f"{day},{flour.sku},STORE,7,70,"]))
    with tenant_context(business):
        stored = SalesHistoryDay.objects.get()
    cleared = owner_client.delete(HISTORY)

    assert again["days"] == 1
    assert (stored.units, stored.gross) == (Decimal(7), Money(70, business.currency))
    assert cleared.status_code == 204
    assert owner_client.get(HISTORY).json()["days"] == 0


def test_every_problem_is_reported_by_row_and_nothing_is_written(
    business: Tenant, products: list[Product], owner_client: Client
) -> None:
    flour = products[0]
    ok = (_today(business) - timedelta(days=3)).isoformat()
    rows = [
        f"{ok},{flour.sku},STORE,5,50,",  # row 2: fine
        f"2026-02-30,{flour.sku},STORE,5,50,",  # row 3: no such date
        f"{ok},NO-SUCH-SKU,STORE,5,50,",  # row 4
        f"{ok},{flour.sku},ATTIC,5,50,",  # row 5: no such location
        f"{(_today(business) - timedelta(days=4)).isoformat()},{flour.sku},STORE,-1,1e30,",  # row 6
        f"{ok},{flour.sku},STORE,6,60,",  # row 7: the same day as row 2
        f"{_today(business).isoformat()},{flour.sku},STORE,1,10,",  # row 8: today is not history
        f"{ok},{flour.sku},STORE,NaN,10,abc",  # row 9
    ]

    answer = owner_client.post(HISTORY, _csv(rows), content_type="text/csv")

    body = answer.json()["error"]
    assert answer.status_code == 400
    assert body["code"] == "validation_error"
    codes = {field: [p["code"] for p in problems] for field, problems in body["fields"].items()}
    assert codes == {
        "row 3.date": ["invalid"],
        "row 4.sku": ["does_not_exist"],
        "row 5.location": ["does_not_exist"],
        "row 6.units": ["negative"],
        "row 6.gross": ["out_of_range"],
        "row 7.date": ["duplicate"],
        "row 8.date": ["not_before_duka"],
        "row 9.units": ["invalid"],
        "row 9.discount": ["invalid"],
    }
    assert "7 row(s) have problems; nothing was imported." in body["message"]
    with tenant_context(business):
        assert not SalesHistoryDay.objects.exists()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "required"),  # no body: no file either
        (b"date,sku,units\n", "missing_columns"),
        (b"date,sku,units,gross,colour\n2026-01-01,A,1,1,red\n", "unknown_columns"),
        (b"date,sku,units,gross\n", "empty"),
        (b"\xff\xfe not utf-8", "invalid_encoding"),
    ],
)
def test_a_bad_file_is_refused_as_a_whole(owner_client: Client, content: bytes, code: str) -> None:
    answer = owner_client.post(HISTORY, content, content_type="text/csv")

    assert answer.status_code == 400
    assert [p["code"] for p in answer.json()["error"]["fields"]["file"]] == [code]


def test_the_history_must_end_before_the_first_sale_in_duka(
    business: Tenant, products: list[Product], owner_client: Client
) -> None:
    flour = products[0]
    first_sale = timezone.now() - timedelta(days=20)
    with tenant_context(business):
        total = Money(10, business.currency)
        Sale.objects.create(
            register=Register.objects.get(code="TILL1"), status=SaleStatus.COMPLETED,
            receipt_number=1, prices_include_tax=True, subtotal=total, discount_total=total * 0,
            tax_total=total * 0, total=total, paid_total=total, change_due=total * 0,
            cost_total=total * 0, completed_at=first_sale,
        )  # fmt: skip
        # The shop's own calendar day (Nairobi), not the server's: from 21:00 UTC they differ.
        first_day = timezone.localtime(first_sale, business_zone()).date()
    late = (first_day + timedelta(days=2)).isoformat()
    early = (first_day - timedelta(days=2)).isoformat()

    refused = owner_client.post(HISTORY, _csv([f"{late},{flour.sku},,1,10,"]),
                                content_type="text/csv")  # fmt: skip
    taken = _post(owner_client, _csv([f"{early},{flour.sku},,1,10,"]))

    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["row 2.date"]
    assert taken["days"] == 1
    assert taken["ends_before"] == first_day.isoformat()


def test_owners_and_managers_only_plan_with_forecasting_only_no_other_business_sees_it(
    business: Tenant,
    products: list[Product],
    owner_client: Client,
    staff_client: Callable[[str], Client],
    make_tenant: Callable[..., Tenant],
    jwt_client: Callable[[Tenant, str], Client],
) -> None:
    content = _csv(
        [f"{(_today(business) - timedelta(days=5)).isoformat()},{products[0].sku},,1,10,"]
    )
    _post(owner_client, content)
    starter = make_tenant(business_name="Starter Shop")  # the trial's plan: no forecasting
    starter_owner = jwt_client(starter, starter.owner_email)

    cashier = staff_client(Role.CASHIER).post(HISTORY, content, content_type="text/csv")
    cashier_clear = staff_client(Role.CASHIER).delete(HISTORY)
    manager = staff_client(Role.MANAGER).post(HISTORY, content, content_type="text/csv")
    refused = starter_owner.post(HISTORY, content, content_type="text/csv")
    theirs = starter_owner.get(HISTORY).json()

    assert cashier.status_code == 403
    assert cashier_clear.status_code == 403
    assert manager.status_code == 200
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "plan_limit"
    assert theirs["days"] == 0
    with tenant_context(business):
        assert SalesHistoryDay.objects.count() == 1
