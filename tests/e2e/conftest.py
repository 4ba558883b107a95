"""The terminal in a real browser: Playwright's Python package driving Debian's Chromium
against pytest-django's live server, each business at ``<slug>.localhost:<port>`` (Chromium
resolves every ``*.localhost`` name to the loopback address, and tests run with
PLATFORM_DOMAIN=localhost). Screenshots go to tests/e2e/artifacts/ (ignored by git)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django_tenants.utils import get_public_schema_name
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from shared_apps.tenants.models import Tenant
from tests.e2e.till import Shop, port_of
from tests.support.tenants import drop_schemas

# Playwright's synchronous API keeps an event loop in the test's thread; Django's ORM refuses
# to run in a thread with a running loop unless told that this one is safe (it is: the loop
# only drives the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _drop_businesses_made_over_http(transactional_db: None) -> Iterator[None]:
    # The live server commits; a business signed up through it keeps its schema after the
    # tables are flushed, and the next run's signup of the same slug would find it.
    before = set(Tenant.objects.values_list("schema_name", flat=True))
    yield
    made = set(Tenant.objects.values_list("schema_name", flat=True)) - before
    # The public tenant's row may be made during the test (after an earlier flush): its schema
    # is the platform's own, never a business's.
    drop_schemas(sorted(made - {get_public_schema_name()}))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert settings.PLATFORM_DOMAIN == "localhost", "the browser reaches businesses at *.localhost"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def shop_of(live_server: LiveServer) -> Callable[[Tenant], Shop]:
    def make(tenant: Tenant) -> Shop:
        port = port_of(live_server)
        return Shop(tenant, f"http://{tenant.slug}.localhost:{port}", f"http://localhost:{port}")

    return make


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
