"""Scanner lookup against 100,000 products: the selector's one query vs a primary-key fetch.

Creates one business on a scratch database, bulk-inserts 100,000 products with an EAN-13 code
each, runs ANALYZE, then times random lookups of (a) the barcode selector, (b) a plain
``Product.objects.filter(pk=…).first()`` as the baseline and (c) the whole in-process request
``GET /api/v1/catalog/barcodes/{code}/`` with an API key. Goal: (a) p99 under 5 ms and within
2x of (b).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from lib.figures import percentile
from lib.scratch import scratch_django

PRODUCTS = 100_000
CHUNK = 5_000
LOOKUPS = 3_000
WARMUP = 200


def timed(samples: list[object], call: Callable[[object], object]) -> list[float]:
    for sample in samples[:WARMUP]:
        call(sample)
    timings = []
    for sample in samples:
        started = time.perf_counter()
        call(sample)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    with scratch_django("duka_bench_barcode_lookup"):
        from django.conf import settings
        from django.db import connection
        from django.test import Client
        from django_tenants.utils import tenant_context
        from lib.catalog import products_create

        from shared_apps.tenants.services import tenant_domain_for, tenant_signup
        from shared_apps.users.models import User
        from tenant_apps.catalog.barcodes import with_check_digit
        from tenant_apps.catalog.models import Barcode, Product, Symbology
        from tenant_apps.catalog.selectors import barcode_lookup
        from tenant_apps.staff.services import api_key_create
        from tests.support.billing import put_on_plan
        from tests.support.tenants import signup_data
        from tests.support.urls import tenant_path

        # Query logging would add the same overhead to every measurement; switch it off.
        settings.DEBUG = False
        tenant = tenant_signup(data=signup_data(slug="bench-shop"), strategy="clone")
        put_on_plan(tenant, "scale")  # the trial's Starter has no API access
        rng = random.Random(7)
        with tenant_context(tenant):
            started = time.perf_counter()
            codes: list[str] = []
            for first in range(0, PRODUCTS, CHUNK):
                products = products_create(
                    range(first, first + CHUNK), rng=rng, currency="KES", sku_digits=6
                )
                chunk_codes = [
                    with_check_digit(f"6161{n:08d}") for n in range(first, first + CHUNK)
                ]
                Barcode.objects.bulk_create(
                    [
                        Barcode(product=p, code=c, symbology=Symbology.EAN13)
                        for p, c in zip(products, chunk_codes, strict=True)
                    ]
                )
                codes.extend(chunk_codes)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE catalog_product")
                cursor.execute("ANALYZE catalog_barcode")
            load_seconds = time.perf_counter() - started
            ids = list(Product.objects.values_list("pk", flat=True))
            owner = User.objects.get(email=tenant.owner_email)
            key = api_key_create(
                actor=owner, name="bench", scopes=["catalog:read"], rate_limit_per_minute=100_000
            ).key

            code_samples: list[object] = list(rng.sample(codes, LOOKUPS))
            id_samples: list[object] = list(rng.sample(ids, LOOKUPS))
            lookup = timed(code_samples, lambda code: barcode_lookup(str(code)))
            baseline = timed(id_samples, lambda pk: Product.objects.filter(pk=int(str(pk))).first())

        client = Client(HTTP_HOST=tenant_domain_for(tenant.slug))
        auth = f"Api-Key {key}"
        # Reversed before the clock starts.
        paths = {code: tenant_path("catalog:barcode-detail", code=code) for code in code_samples}

        def request(code: object) -> object:
            response = client.get(paths[code], HTTP_AUTHORIZATION=auth)
            assert response.status_code == 200, response.content
            return response

        full = timed(code_samples, request)

        print(f"{PRODUCTS:,} products with barcodes loaded in {load_seconds:.1f} s")
        print(f"{LOOKUPS:,} random lookups each (after {WARMUP} warm-up), times in ms\n")
        print(f"{'measurement':<44} {'p50':>7} {'p99':>7}")
        rows = [
            ("(a) barcode_lookup selector (one query)", lookup),
            ("(b) Product.objects.filter(pk=…).first()", baseline),
            ("(c) GET /api/v1/catalog/barcodes/{code}/", full),
        ]
        for label, values in rows:
            p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
            print(f"{label:<44} {p50:>7.3f} {p99:>7.3f}")
        ratio50 = percentile(lookup, 0.5) / percentile(baseline, 0.5)
        ratio99 = percentile(lookup, 0.99) / percentile(baseline, 0.99)
        print(f"\nratio a/b: p50 {ratio50:.2f}x, p99 {ratio99:.2f}x")
        ok = percentile(lookup, 0.99) < 5 and ratio99 <= 2
        print(f"goal (a p99 < 5 ms and within 2x of b): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
