"""``/api/v1/console/billing/``: platform owners read and edit plans, charges and metrics."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from billing.models import Charge, Plan, PlanPrice
from shared_apps.tenants.models import Tenant
from tests.support.people import access_token_for
from tests.support.urls import root_path

pytestmark = pytest.mark.django_db

PLANS = root_path("billing-console:plan-list")


def plan_url(code: str) -> str:
    return root_path("billing-console:plan-detail", code=code)


def test_owners_see_the_seeded_plans_with_fees_limits_and_charges(
    catalog: None, console: Client
) -> None:
    response = console.get(PLANS)

    assert response.status_code == 200, response.content
    body = response.json()
    assert [plan["code"] for plan in body["results"]] == ["growth", "scale", "starter"]
    starter = body["results"][2]
    assert starter["is_default"] is True
    assert (starter["max_stores"], starter["api_access"]) == (3, False)
    assert {"amount": "19.00", "currency": "USD"} in starter["prices"]
    assert {"amount": "2500.00", "currency": "KES"} in starter["prices"]
    (sales,) = starter["charges"]
    assert (sales["metric"], sales["model"]) == ("sales", "graduated")
    assert body["results"][1]["max_stores"] is None  # Scale: unlimited


def test_an_owner_edits_a_plans_limits_and_fees(catalog: None, console: Client) -> None:
    response = console.patch(
        plan_url("starter"),
        {"max_stores": 2, "api_access": True, "prices": {"USD": "21.00", "EUR": "20"}},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    plan = Plan.objects.get(code="starter")
    assert (plan.max_stores, plan.api_access, plan.max_registers) == (2, True, 3)
    fees = {str(p.amount.currency): p.amount.amount for p in PlanPrice.objects.filter(plan=plan)}
    assert fees["USD"] == 21 and fees["EUR"] == 20 and fees["KES"] == 2500


def test_an_owner_adds_a_plan_and_makes_it_the_default(catalog: None, console: Client) -> None:
    response = console.post(
        PLANS,
        {
            "code": "micro",
            "name": "Micro",
            "trial_days": 30,
            "is_default": True,
            "max_stores": 1,
            "prices": {"USD": "5"},
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["prices"] == [{"amount": "5.00", "currency": "USD"}]
    assert list(Plan.objects.filter(is_default=True).values_list("code", flat=True)) == ["micro"]


def test_a_charge_with_tiers_out_of_order_is_refused_and_nothing_is_written(
    catalog: None, console: Client
) -> None:
    before = Charge.objects.count()
    response = console.post(
        root_path("billing-console:charge-list", code="starter"),
        {
            "metric": "api_calls",
            "model": "volume",
            "prices": [
                {
                    "currency": "USD",
                    "tiers": [
                        {"up_to": 100, "unit_amount": "1"},
                        {"up_to": 50, "unit_amount": "1"},
                        {"up_to": None, "unit_amount": "1"},
                    ],
                }
            ],
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"]["prices[0].tiers[1].up_to"][0]["code"] == "not_ascending"
    assert Charge.objects.count() == before


def test_an_owner_adds_replaces_and_removes_a_charge(catalog: None, console: Client) -> None:
    added = console.post(
        root_path("billing-console:charge-list", code="starter"),
        {
            "metric": "sms_sent",
            "model": "package",
            "free_units": "100",
            "package_size": 500,
            "prices": [{"currency": "USD", "unit_amount": "4"}],
        },
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    charge = Charge.objects.get(plan__code="starter", metric__code="sms_sent")

    replaced = console.put(
        root_path("billing-console:charge-detail", code="starter", charge_id=charge.pk),
        {
            "metric": "sms_sent",
            "model": "standard",
            "prices": [{"currency": "KES", "unit_amount": "2"}],
        },
        content_type="application/json",
    )
    assert replaced.status_code == 200, replaced.content
    charge.refresh_from_db()
    assert charge.model == "standard"
    assert [(p.currency, p.unit_amount) for p in charge.prices.all()] == [("KES", 2)]

    removed = console.delete(
        root_path("billing-console:charge-detail", code="starter", charge_id=charge.pk)
    )
    assert removed.status_code == 204
    assert not Charge.objects.filter(pk=charge.pk).exists()


def test_a_metric_that_sums_must_say_what_it_sums(catalog: None, console: Client) -> None:
    response = console.post(
        root_path("billing-console:metric-list"),
        {"code": "exports", "name": "Exports", "aggregation": "sum"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["field_name"][0]["code"] == "required"


def test_anyone_but_a_platform_owner_is_refused(
    catalog: None, root_client: Client, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant()
    with_token = root_client
    with_token.defaults["HTTP_AUTHORIZATION"] = (
        f"Bearer {access_token_for(tenant, tenant.owner_email)}"
    )

    assert with_token.get(PLANS).status_code == 403
    assert (
        with_token.patch(
            plan_url("starter"), {"max_stores": 99}, content_type="application/json"
        ).status_code
        == 403
    )
    assert Plan.objects.get(code="starter").max_stores == 3
