"""Usage events (recorded once, never failing the caller) and the units of a period."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing.metering import metric_units
from billing.models import BillableMetric, UsageEvent
from billing.usage import usage_record
from shared_apps.tenants.models import Tenant
from tenant_apps.inventory.models import Location
from tenant_apps.sales.models import Register
from tests.support.people import issue_api_key
from tests.support.sales import cart, checkout, open_shift_of
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

JUNE = datetime(2026, 6, 1, tzinfo=UTC)
JULY = datetime(2026, 7, 1, tzinfo=UTC)
Commits = Callable[..., Any]


def record(tenant: Tenant, key: str, **options: Any) -> None:
    usage_record(tenant_id=tenant.pk, metric_code="api_calls", idempotency_key=key, **options)


def test_the_same_key_twice_is_one_event(
    starter_shop: Tenant, django_capture_on_commit_callbacks: Commits
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        record(starter_shop, "req-1")
        record(starter_shop, "req-1", quantity=5)

    (event,) = UsageEvent.objects.filter(tenant=starter_shop)
    assert (event.idempotency_key, event.quantity) == ("req-1", 1)


def test_a_use_rolled_back_with_its_request_is_not_recorded(
    starter_shop: Tenant, django_capture_on_commit_callbacks: Commits
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        record(starter_shop, "req-2")
        raise RuntimeError("the request failed")

    assert not UsageEvent.objects.exists()


def test_a_failing_record_is_logged_and_the_caller_goes_on(
    starter_shop: Tenant,
    django_capture_on_commit_callbacks: Commits,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="billing.usage"):
        with django_capture_on_commit_callbacks(execute=True):
            record(starter_shop, "k" * 500)  # longer than the column: the INSERT fails
            record(starter_shop, "req-3", quantity="not a number")
        # The connection is still usable: the failed INSERT had a savepoint of its own.
        assert not UsageEvent.objects.exists()

    assert len([r for r in caplog.records if "not recorded" in r.getMessage()]) == 2


@pytest.mark.parametrize(
    ("aggregation", "field_name", "expected"),
    [
        ("count", "", Decimal(3)),
        ("sum", "quantity", Decimal(9)),
        ("max", "quantity", Decimal(5)),
        ("latest", "quantity", Decimal(3)),
        ("unique_count", "properties.api_key", Decimal(2)),
    ],
)
def test_each_aggregation_over_the_period(
    starter_shop: Tenant,
    django_capture_on_commit_callbacks: Commits,
    aggregation: str,
    field_name: str,
    expected: Decimal,
) -> None:
    metric = BillableMetric.objects.create(
        code="probe", name="Probe", aggregation=aggregation, field_name=field_name
    )
    events = [
        (JUNE + timedelta(days=1), 1, "a"),
        (JUNE + timedelta(days=2), 5, "b"),
        (JUNE + timedelta(days=3), 3, "a"),
        (JULY, 100, "c"),  # the next period
        (JUNE - timedelta(seconds=1), 100, "d"),  # the one before
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for number, (moment, quantity, key) in enumerate(events):
            usage_record(
                tenant_id=starter_shop.pk,
                metric_code="probe",
                idempotency_key=f"e{number}",
                quantity=quantity,
                occurred_at=moment,
                properties={"api_key": key},
            )

    units = metric_units(tenant=starter_shop, metric=metric, start=JUNE, end=JULY)

    assert units == expected


def test_completed_sales_are_counted_in_the_business_schema(
    business: Tenant,
    owner_client: Client,
    make_product: Callable[..., Any],
    receive: Callable[..., None],
) -> None:
    with tenant_context(business):
        till = Register.objects.get(code="TILL1")
        store = Location.objects.get(code="STORE")
    open_shift_of(business, till)
    tea = make_product(name="Tea", price="50")
    receive(tea, store, "10")
    for _ in range(3):
        assert checkout(owner_client, cart(till, (tea.pk, "1"))).status_code == 201
    sales = BillableMetric.objects.get(code="sales")
    now = timezone.now()

    assert (
        metric_units(
            tenant=business,
            metric=sales,
            start=now - timedelta(hours=1),
            end=now + timedelta(hours=1),
        )
        == 3
    )
    assert metric_units(tenant=business, metric=sales, start=JUNE, end=JULY) == 0


def test_each_request_made_with_an_api_key_is_one_billable_call_by_that_key(
    business: Tenant,
    tenant_client: Callable[[Tenant], Client],
    django_capture_on_commit_callbacks: Commits,
) -> None:
    key = issue_api_key(business, ["catalog:read"])
    client = tenant_client(business)
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {key}"

    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(tenant_path("catalog:product-list")).status_code == 200
        assert client.get(tenant_path("catalog:product-list")).status_code == 200
        # A refused key is no billable call.
        client.defaults["HTTP_AUTHORIZATION"] = "Api-Key dk_nope_nope"
        assert client.get(tenant_path("catalog:product-list")).status_code == 401

    events = UsageEvent.objects.filter(tenant=business, metric_code="api_calls")
    assert events.count() == 2
    assert {event.properties["api_key"] for event in events} == {key.split("_")[1]}
    metric = BillableMetric.objects.get(code="api_calls")
    units = metric_units(
        tenant=business, metric=metric, start=JUNE, end=timezone.now() + timedelta(seconds=1)
    )
    assert units == 2
