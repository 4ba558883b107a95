"""Provisioning: all-or-nothing signup, clones identical to migrated schemas, the spare pool."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from saas_platform.errors import ValidationFailed
from shared_apps.outbox.models import OutboxMessage
from shared_apps.tenants import schema_pool
from shared_apps.tenants.models import Domain, Tenant
from shared_apps.tenants.seed_hooks import register_seed_hook, unregister_seed_hook
from shared_apps.tenants.services import tenant_signup
from shared_apps.users.models import User
from tenant_apps.inventory.models import Location
from tests.support.tenants import schema_exists, signup_data
from tests.tenants.schema_structure import schema_structure

# These tests count spares: they start, like a database no refill has run on, with none.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_spares")]


class SeedFailure(RuntimeError):
    pass


@pytest.fixture
def failing_seed_hook() -> Iterator[None]:
    @register_seed_hook("tests.explodes", order=1000)
    def explode(**_: Any) -> None:
        # Runs after the owner and the default locations were written.
        assert Location.objects.exists()
        raise SeedFailure("seed hook failed")

    yield
    unregister_seed_hook("tests.explodes")


@pytest.mark.parametrize("strategy", ["clone", "migrate", "pool"])
def test_failing_seed_hook_leaves_no_tenant_domain_or_schema(
    failing_seed_hook: None, strategy: str
) -> None:
    if strategy == "pool":
        schema_pool.refill_pool(1)
    spares = schema_pool.spare_schemas()

    with pytest.raises(SeedFailure):
        tenant_signup(data=signup_data(slug="doomed-shop"), strategy=strategy)

    assert not Tenant.objects.filter(slug="doomed-shop").exists()
    assert not Domain.objects.filter(domain__startswith="doomed-shop.").exists()
    assert not schema_exists("t_doomed_shop")
    # A claimed spare goes back to the pool when the signup fails.
    assert schema_pool.spare_schemas() == spares


def test_validation_failure_touches_nothing() -> None:
    spares = schema_pool.spare_schemas()

    with pytest.raises(ValidationFailed):
        tenant_signup(data=signup_data(slug="ok-slug", currency="???"))

    assert not Tenant.objects.filter(slug="ok-slug").exists()
    assert not schema_exists("t_ok_slug")
    assert schema_pool.spare_schemas() == spares


def test_cloned_schema_matches_a_migrated_one() -> None:
    cloned = tenant_signup(data=signup_data(slug="cloned-shop"), strategy="clone")
    migrated = tenant_signup(data=signup_data(slug="migrated-shop"), strategy="migrate")

    cloned_structure = schema_structure(cloned.schema_name)
    migrated_structure = schema_structure(migrated.schema_name)

    assert cloned_structure["columns"], "the clone has no tables"
    assert ("users", "0001_initial") in cloned_structure["migrations"]
    assert cloned_structure == migrated_structure


def test_cloned_schema_has_its_own_sequences_and_rows() -> None:
    first = tenant_signup(data=signup_data(slug="seq-one"), strategy="clone")
    second = tenant_signup(data=signup_data(slug="seq-two"), strategy="clone")

    with schema_context(first.schema_name):
        Location.objects.create(code="EXTRA", name="Extra", kind="storefront")
    with schema_context(second.schema_name):
        assert not Location.objects.filter(code="EXTRA").exists()
        assert User.objects.count() == 1


def test_signup_renames_a_spare_schema_instead_of_cloning() -> None:
    schema_pool.refill_pool(2)
    spares = schema_pool.spare_schemas()
    assert len(spares) == 2

    tenant = tenant_signup(data=signup_data(slug="from-pool"), strategy="pool")

    remaining = schema_pool.spare_schemas()
    assert len(remaining) == 1
    (claimed,) = set(spares) - set(remaining)
    assert not schema_exists(claimed)
    assert schema_exists(tenant.schema_name)
    with schema_context(tenant.schema_name):
        assert User.objects.get().role == "owner"
        assert Location.objects.count() == 2


def test_empty_pool_falls_back_to_cloning() -> None:
    for name in schema_pool.spare_schemas():
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{name}" CASCADE')

    tenant = tenant_signup(data=signup_data(slug="no-spares"), strategy="pool")

    assert schema_exists(tenant.schema_name)


def test_spares_from_an_older_template_are_never_handed_out() -> None:
    schema_pool.refill_pool(0)
    schema_pool.clone_template("spare_0123456789ab_deadbeef")  # an older fingerprint

    tenant_signup(data=signup_data(slug="fresh-only"), strategy="pool")

    assert schema_exists("spare_0123456789ab_deadbeef")
    assert schema_pool.drop_stale_spares() == 1
    assert not schema_exists("spare_0123456789ab_deadbeef")


def test_refill_tops_the_pool_up_to_its_size(settings: Any) -> None:
    settings.TENANT_SCHEMA_POOL_SIZE = 3
    for name in schema_pool.spare_schemas():
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{name}" CASCADE')

    assert schema_pool.refill_pool() == 3
    assert schema_pool.refill_pool() == 0
    fingerprint = schema_pool.template_fingerprint()
    assert fingerprint
    assert all(s.startswith(f"spare_{fingerprint}_") for s in schema_pool.spare_schemas())


def test_signup_queues_a_pool_refill_after_commit(
    settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    settings.TENANT_SCHEMA_POOL_SIZE = 1
    for name in schema_pool.spare_schemas():
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{name}" CASCADE')

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tenant_signup(data=signup_data(slug="refills"), strategy="pool")

    assert len(callbacks) == 1
    assert schema_pool.spare_schemas() == []
    assert OutboxMessage.objects.filter(task_name="tenants.refill_schema_pool").count() == 1
