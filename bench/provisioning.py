"""Signup-to-ready time: migrating vs cloning vs a pool of pre-cloned spares.

For each strategy it signs up 20 businesses through the real API on the root domain and stops the
clock when the new business's own host answers. It does so with 0 and with 200 businesses
already on the database. Spares are refilled between signups, outside the clock, as the Celery
worker does in production. It also times the bare copy of the template with our cloner and with
django-tenants' clone_schema function, which ours replaced.
"""

from __future__ import annotations

import os
import statistics
import time

from lib.figures import percentile
from lib.scratch import scratch_django

SIGNUPS = 20
POPULATIONS = (0, 200)
STRATEGIES = ("migrate", "clone", "pool")
BARE_CLONES = 5


def time_bare_clones() -> dict[str, float]:
    """Median seconds to copy the template, each copy rolled back."""
    from django.db import transaction
    from django_tenants.clone import CloneSchema

    from shared_apps.tenants.schema_clone import clone_schema
    from shared_apps.tenants.schema_pool import template_schema

    class Rollback(Exception):
        pass

    def ours(target: str) -> None:
        clone_schema(template_schema(), target)

    def django_tenants(target: str) -> None:
        CloneSchema().clone_schema(template_schema(), target, "DATA")

    medians = {}
    for name, clone in (("ours", ours), ("django-tenants", django_tenants)):
        timings = []
        for index in range(BARE_CLONES):
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    clone(f"bare_clone_{index}")
                    raise Rollback
            except Rollback:
                pass
            timings.append(time.perf_counter() - started)
        medians[name] = statistics.median(timings)
    return medians


def main() -> None:
    # The bench refills spares itself, off the clock; without Redis a queued refill would run
    # inside the signup request and be timed with it.
    os.environ["TENANT_SCHEMA_POOL_SIZE"] = "0"
    # Every timed signup comes from this one process's address, far above a person's rate.
    os.environ["SIGNUP_PER_ADDRESS_PER_HOUR"] = "1000000"
    with scratch_django("duka_bench_provisioning"):
        from django.conf import settings
        from django.test import Client

        from shared_apps.tenants import schema_pool
        from shared_apps.tenants.services import tenant_signup
        from tests.support.tenants import signup_data
        from tests.support.urls import root_path, tenant_path

        root = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
        signup, business = (
            root_path("tenants:tenant-signup"),
            tenant_path("tenants:business-detail"),
        )
        results: dict[tuple[str, int], list[float]] = {}
        bare: dict[int, dict[str, float]] = {}
        existing = 0
        counter = 0
        for population in POPULATIONS:
            while existing < population:  # filler businesses, not timed
                tenant_signup(data=signup_data(slug=f"filler-{existing}"), strategy="clone")
                existing += 1
            bare[population] = time_bare_clones()
            for strategy in STRATEGIES:
                settings.TENANT_PROVISIONING_STRATEGY = strategy
                timings = []
                for _ in range(SIGNUPS):
                    if strategy == "pool":
                        schema_pool.refill_pool(2)
                    counter += 1
                    slug = f"bench-{strategy}-{counter}"
                    body = signup_data(slug=slug).__dict__
                    started = time.perf_counter()
                    response = root.post(signup, body, content_type="application/json")
                    assert response.status_code == 201, response.content
                    ready = Client(HTTP_HOST=f"{slug}.{settings.PLATFORM_DOMAIN}")
                    assert ready.get(business).status_code == 200
                    timings.append(time.perf_counter() - started)
                results[(strategy, population)] = timings
            existing += len(STRATEGIES) * SIGNUPS

        tables = _tenant_table_count()
        print(f"signup-to-ready over {SIGNUPS} signups; tenant schema has {tables} tables")
        print(f"{'strategy':<10}{'existing':>10}{'median s':>11}{'p95 s':>9}{'vs migrate':>12}")
        for population in POPULATIONS:
            baseline = statistics.median(results[("migrate", population)])
            for strategy in STRATEGIES:
                timings = results[(strategy, population)]
                median = statistics.median(timings)
                print(
                    f"{strategy:<10}{population:>10}{median:>11.3f}"
                    f"{percentile(timings, 0.95):>9.3f}{baseline / median:>11.1f}x"
                )
        print(f"bare template copy, median of {BARE_CLONES} (each rolled back)")
        print(f"{'existing':>8}{'ours s':>10}{'django-tenants s':>18}{'ratio':>8}")
        for population in POPULATIONS:
            ours, theirs = bare[population]["ours"], bare[population]["django-tenants"]
            print(f"{population:>8}{ours:>10.3f}{theirs:>18.3f}{theirs / ours:>7.1f}x")


def _tenant_table_count() -> int:
    from django.db import connection

    from shared_apps.tenants.schema_pool import template_schema

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
            [template_schema()],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


if __name__ == "__main__":
    main()
