"""The test suite's own spare pool (tests/conftest.py): a business is a renamed spare that
comes back after the test, numbering its rows as a freshly cloned one would."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared_apps.tenants import schema_pool
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_signup
from shared_apps.users.models import User
from tenant_apps.inventory.models import Location
from tests.support.tenants import TEST_SPARE_SCHEMAS, schema_exists, signup_data

pytestmark = pytest.mark.django_db


def ids_of(tenant: Tenant) -> tuple[list[int], list[int]]:
    with schema_context(tenant.schema_name):
        users = list(User.objects.order_by("pk").values_list("pk", flat=True))
        locations = list(Location.objects.order_by("pk").values_list("pk", flat=True))
    return users, locations


def test_every_test_starts_with_the_full_pool() -> None:
    assert len(schema_pool.spare_schemas()) == TEST_SPARE_SCHEMAS


def test_a_business_takes_a_spare_that_the_rollback_gives_back(
    make_tenant: Callable[..., Tenant],
) -> None:
    spares = schema_pool.spare_schemas()

    tenant = make_tenant()

    (taken,) = set(spares) - set(schema_pool.spare_schemas())
    assert not schema_exists(taken)
    assert schema_exists(tenant.schema_name)
    # the next test finds `taken` again: test_every_test_starts_with_the_full_pool


def test_a_renamed_spare_hands_out_the_ids_a_fresh_clone_would(
    make_tenant: Callable[..., Tenant],
) -> None:
    # Earlier tests that used the spares advanced their sequences (rollbacks do not undo that).
    with connection.cursor() as cursor:
        for spare in schema_pool.spare_schemas():
            for table in ("users_user", "inventory_location"):
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, 5)",
                    [f'"{spare}"."{table}"'],
                )
    spares = len(schema_pool.spare_schemas())

    pooled = make_tenant()
    cloned = tenant_signup(data=signup_data(), strategy="clone")

    assert len(schema_pool.spare_schemas()) == spares - 1  # the first came from the pool
    assert ids_of(pooled) == ids_of(cloned)
    assert ids_of(pooled)[0] == [1]
