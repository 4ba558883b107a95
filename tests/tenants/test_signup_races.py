"""Signups racing each other: one slug, one winner; spares never handed out twice."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from saas_platform.errors import DukaError
from shared_apps.tenants import schema_pool
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_signup
from tests.support.concurrency import at_once
from tests.support.tenants import schema_exists, signup_data

# These tests count spares: they start, like a database no refill has run on, with none.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_spares")]


def sign_up(slug: str) -> Tenant:
    return tenant_signup(data=signup_data(slug=slug))


@pytest.fixture
def cleanup_schemas() -> Iterator[list[str]]:
    names: list[str] = []
    yield names
    with connection.cursor() as cursor:
        for name in [*names, *schema_pool.spare_schemas()]:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def test_two_signups_for_one_slug_make_one_business(cleanup_schemas: list[str]) -> None:
    cleanup_schemas.append("t_contested")

    outcomes = at_once(
        *[
            lambda: tenant_signup(data=signup_data(slug="contested", business_name="First")),
            lambda: tenant_signup(data=signup_data(slug="contested", business_name="Second")),
        ]
    )

    winners = [o for o in outcomes if isinstance(o, Tenant)]
    losers = [o for o in outcomes if isinstance(o, DukaError)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    assert losers[0].fields["slug"][0]["code"] == "slug_taken"
    assert Tenant.objects.get(slug="contested").name == winners[0].name
    assert schema_exists("t_contested")


def test_concurrent_signups_each_get_their_own_schema(
    cleanup_schemas: list[str], settings: Any
) -> None:
    settings.TENANT_SCHEMA_POOL_SIZE = 0  # no refill tasks: the pool holds what we put there
    schema_pool.refill_pool(2)
    slugs = [f"rush-{n}" for n in range(4)]
    cleanup_schemas.extend(f"t_rush_{n}" for n in range(4))

    outcomes = at_once(*[functools.partial(sign_up, slug) for slug in slugs])

    assert all(isinstance(o, Tenant) for o in outcomes), outcomes
    assert all(schema_exists(f"t_rush_{n}") for n in range(4))
    assert schema_pool.spare_schemas() == []  # both spares used once, the rest cloned
