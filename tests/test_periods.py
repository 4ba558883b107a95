"""One period parameter set: ``?start=&end=``, one default (this month so far, in the business's
calendar) and one set of error codes, wherever a period is asked for (docs/api.md, "Periods")."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from saas_platform.tenancy import business_today
from shared_apps.tenants.models import Tenant
from tenant_apps.customers.services import customer_create
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

PERIODS = [
    "ledger:profit-and-loss-report",
    "ledger:vat-report",
    "ledger:budget-vs-actual-report",
    "ledger:entry-list",
    "sales:summary-report",
    "audit:entry-list",
    "customers:customer-statement",
]


def path_of(name: str, customer_id: int) -> str:
    """The path of the report ``name``; a statement is the customer's own."""
    if name == "customers:customer-statement":
        return tenant_path(name, customer_id=customer_id)
    return tenant_path(name)


@pytest.fixture
def customer_id(business: Tenant) -> int:
    with tenant_context(business):
        return int(customer_create(name="Akinyi").pk)


@pytest.mark.parametrize("name", PERIODS)
def test_every_period_is_refused_the_same_way(
    owner_client: Client, customer_id: int, name: str
) -> None:
    path = path_of(name, customer_id)
    reversed_ = owner_client.get(path, {"start": "2026-02-10", "end": "2026-02-01"})
    not_a_day = owner_client.get(path, {"start": "2026-02-30", "end": "yesterday"})
    fine = owner_client.get(path, {"start": "2026-02-01", "end": "2026-02-28"})

    assert reversed_.status_code == 400
    assert reversed_.json()["error"]["fields"] == {
        "start": [{"code": "period_reversed", "message": "The period starts after it ends."}]
    }
    assert not_a_day.status_code == 400
    fields = not_a_day.json()["error"]["fields"]
    assert (fields["start"][0]["code"], fields["end"][0]["code"]) == ("invalid", "invalid")
    assert fine.status_code == 200, fine.content[:300]


@pytest.mark.parametrize(
    "name",
    [
        "ledger:profit-and-loss-report",
        "sales:summary-report",
        "customers:customer-statement",
    ],
)
def test_without_dates_a_report_covers_this_month_so_far(
    owner_client: Client, business: Tenant, customer_id: int, name: str
) -> None:
    with tenant_context(business):
        today = business_today()

    path = path_of(name, customer_id)
    body = owner_client.get(path).json()
    only_end = owner_client.get(path, {"end": "2026-03-17"}).json()

    assert (body["start"], body["end"]) == (str(today.replace(day=1)), str(today))
    assert (only_end["start"], only_end["end"]) == ("2026-03-01", "2026-03-17")


def test_a_report_that_bounds_its_period_says_so(owner_client: Client) -> None:
    response = owner_client.get(
        tenant_path("sales:summary-report"), {"start": "2025-01-01", "end": "2026-01-02"}
    )

    assert response.status_code == 400
    (problem,) = response.json()["error"]["fields"]["start"]
    assert problem["code"] == "period_too_long"
