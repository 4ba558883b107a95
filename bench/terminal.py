"""The terminal in a browser with 10,000 products: scan-to-cart time, first load, offline
reload, and the size of the catalog snapshot.

Makes one business on a scratch database with 10,000 products (an EAN-13 each), serves the app
from a thread (Django's threaded WSGI server, static files from the apps), signs in with
Playwright's Chromium (Debian's, /usr/bin/chromium) and measures:

- first load: a fresh browser profile opening /terminal/ until the catalog is in memory (page,
  scripts, the snapshot of 10,000 products, IndexedDB write);
- offline reload: the browser offline, the page reloaded from the service worker's cache and
  the catalog from IndexedDB, until the till is ready to sell;
- scan-to-cart: 1,000 random codes through the scan handler, each until the cart is drawn and
  laid out (the cart is emptied every 20 lines, as sales end);
- the snapshot of 10,000 products, as JSON and gzipped (what the browser downloads).

Goals: scan-to-cart p95 < 50 ms, loads < 1 s on loopback, snapshot < 2 MB compressed.
"""

from __future__ import annotations

import gzip
import os
import random
import threading
import time

from lib.figures import percentile
from lib.scratch import scratch_django

# Playwright's synchronous API keeps an event loop in this thread; the ORM calls here are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PRODUCTS = 10_000
SCANS = 1_000
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def main() -> None:
    with scratch_django("duka_bench_terminal"):
        from django.conf import settings
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
        from django.core.wsgi import get_wsgi_application
        from django.test import Client
        from django_tenants.utils import tenant_context
        from lib.catalog import products_create
        from playwright.sync_api import sync_playwright

        from shared_apps.tenants.services import tenant_domain_for, tenant_signup
        from shared_apps.users.models import User
        from tenant_apps.catalog.barcodes import with_check_digit
        from tenant_apps.catalog.models import Barcode, Symbology
        from tests.support.tenants import STRONG_PASSWORD, signup_data

        settings.DEBUG = False
        settings.ALLOWED_HOSTS = ["*"]
        tenant = tenant_signup(data=signup_data(slug="bench-till"), strategy="clone")
        rng = random.Random(11)
        with tenant_context(tenant):
            products = products_create(range(PRODUCTS), rng=rng, currency="KES", sku_digits=5)
            codes = [with_check_digit(f"6162{n:08d}") for n in range(PRODUCTS)]
            Barcode.objects.bulk_create(
                [
                    Barcode(product=p, code=c, symbology=Symbology.EAN13)
                    for p, c in zip(products, codes, strict=True)
                ]
            )
            owner = User.objects.get(email=tenant.owner_email)

        client = Client(HTTP_HOST=tenant_domain_for(tenant.slug))
        with tenant_context(tenant):
            client.force_login(owner)
        client.get("/api/v1/terminal/snapshot/")  # the first request imports the URL conf etc.
        started = time.perf_counter()
        response = client.get("/api/v1/terminal/snapshot/")
        snapshot_ms = (time.perf_counter() - started) * 1000
        assert response.status_code == 200
        raw = len(response.content)
        # As the proxy sends it (infra/nginx.conf: gzip, level 1 by default there; 6 here).
        compressed = len(gzip.compress(response.content, compresslevel=6))

        class Quiet(WSGIRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
        server.set_app(StaticFilesHandler(get_wsgi_application()))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://{tenant.slug}.localhost:{server.server_port}"

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            context = browser.new_context(viewport={"width": 1024, "height": 768})
            page = context.new_page()
            page.goto(f"{url}/login/?next=/terminal/")
            page.fill("#id_username", tenant.owner_email)
            page.fill("#id_password", STRONG_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector("body[data-catalog=ready]", timeout=60_000)
            # From the fetch of /terminal/ itself: the navigation began with the sign-in's POST
            # (a password hash) and its redirect, which are not the terminal's load.
            first_load = page.evaluate(
                "performance.now() - performance.getEntriesByType('navigation')[0].fetchStart"
            )
            with_sign_in = page.evaluate("performance.now()")
            page.locator("#dialog button[data-till]").first.click()
            page.fill("#opening-float", "0")
            page.click("#open-shift")
            page.wait_for_selector("body[data-ready=true]")
            page.evaluate("navigator.serviceWorker.ready")

            # A fresh profile with the same sign-in: the first load a new till sees.
            fresh = browser.new_context(
                viewport={"width": 1024, "height": 768}, storage_state=context.storage_state()
            )
            fresh_page = fresh.new_page()
            loads = []
            for _ in range(3):
                fresh_page.goto(f"{url}/terminal/")
                fresh_page.wait_for_selector("body[data-catalog=ready]", timeout=60_000)
                loads.append(fresh_page.evaluate("performance.now()"))
                fresh_page.evaluate("indexedDB.deleteDatabase('duka-terminal')")
            fresh.close()

            page.reload()
            page.wait_for_selector("body[data-ready=true]")
            context.set_offline(True)
            offline = []
            for _ in range(5):
                page.reload()
                page.wait_for_selector("body[data-ready=true]")
                offline.append(page.evaluate("performance.now()"))

            sample = rng.sample(codes, SCANS)
            timings = page.evaluate(
                """(codes) => {
                  const t = window.dukaTerminal;
                  const out = [];
                  codes.forEach((code, i) => {
                    if (i % 20 === 0) { t.state.cart.reset(); }
                    const started = performance.now();
                    t.scanned(code);
                    document.getElementById("total").offsetHeight;  // style and layout
                    out.push(performance.now() - started);
                  });
                  return out;
                }""",
                sample,
            )
            lines = page.locator("#lines li").count()
            browser.close()
        server.shutdown()

        p50, p95, p99 = (percentile(timings, f) for f in (0.5, 0.95, 0.99))
        print(f"{PRODUCTS:,} products, each with an EAN-13; Chromium headless, loopback\n")
        print(
            f"snapshot: {raw / 1e6:.2f} MB JSON, {compressed / 1e6:.3f} MB gzipped, "
            f"built in {snapshot_ms:.0f} ms (in-process request)"
        )
        print(
            f"first load (from /terminal/'s fetch to catalog in memory): first {first_load:.0f} ms"
            f" ({with_sign_in:.0f} ms counting the sign-in's POST and redirect); "
            f"fresh profile {', '.join(f'{v:.0f}' for v in loads)} ms"
        )
        print(
            f"offline reload (service worker + IndexedDB, to ready): "
            f"{', '.join(f'{v:.0f}' for v in offline)} ms"
        )
        print(
            f"scan-to-cart ({SCANS:,} scans, cart drawn and laid out, up to 20 lines): "
            f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms (last cart: {lines} lines)"
        )
        slowest_load = max(first_load, *loads)
        ok = p95 < 50 and compressed < 2_000_000 and slowest_load < 1000 and max(offline) < 1000
        print(f"goals (p95 < 50 ms, loads < 1 s, snapshot < 2 MB gzipped): "
              f"{'met' if ok else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
