"""What a test does at the till in the browser: sign in, open the till, scan, pay, and the
screenshots it leaves in tests/e2e/artifacts/ (ignored by git). Fixtures are in conftest.py."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django_tenants.utils import tenant_context
from moneyed import Money
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location, MovementReason
from tenant_apps.inventory.stock import stock_receive
from tests.support.catalog import make_product as catalog_product
from tests.support.tenants import STRONG_PASSWORD

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@dataclass
class Shop:
    tenant: Tenant
    url: str  # http://<slug>.localhost:<port>
    root: str  # http://localhost:<port>

    @property
    def slug(self) -> str:
        return str(self.tenant.slug)


def port_of(live_server: LiveServer) -> int:
    return int(live_server.url.rsplit(":", 1)[1])


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    """The viewport (or the whole page, top to bottom) as tests/e2e/artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def stock_up(
    tenant: Tenant, name: str, sku: str, *, price: str, quantity: str, barcode: str = "",
    cost: str = "50", **fields: Any,
) -> Product:  # fmt: skip
    """A product of ``tenant`` through the catalog service, with ``quantity`` in the store."""
    product = catalog_product(
        tenant, sku, name, price=price, barcodes=(barcode,) if barcode else (), **fields
    )
    with tenant_context(tenant):
        product.cost_price = Money(Decimal(cost), tenant.currency)
        product.save(update_fields=["cost_price"])
        if Decimal(quantity):
            stock_receive(
                product=product,
                location=Location.objects.get(code="STORE"),
                quantity=Decimal(quantity),
                unit_cost=Money(Decimal(cost), tenant.currency),
                reason=MovementReason.RECEIPT,
                reference="E2E",
            )
    return product


def log_in(page: Page, shop: Shop, email: str, password: str = STRONG_PASSWORD) -> None:
    """Signs in on the login page, asked for by the terminal itself."""
    page.goto(f"{shop.url}/terminal/")
    expect(page).to_have_url(f"{shop.url}/login/?next=/terminal/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{shop.url}/terminal/")


def open_till(page: Page, opening_float: str = "1000") -> None:
    """Chooses the first till and opens its shift (or goes on with the open one)."""
    page.locator("#dialog[data-name=till] button[data-till]").first.click()
    if page.locator("#opening-float").is_visible():
        page.fill("#opening-float", opening_float)
        page.click("#open-shift")
    expect(page.locator("body[data-ready=true]")).to_have_count(1)
    expect(page.locator("#dialog")).not_to_be_visible()


def scan(page: Page, code: str) -> None:
    """A keyboard-wedge scanner: the code typed into the focused field, then Enter."""
    page.keyboard.press("F2")
    page.keyboard.type(code)
    page.keyboard.press("Enter")


# A cashier's hands stay on the keyboard: F4, the cash given, Enter; Enter again for the next
# sale. (A mouse click that closes a modal dialog leaves headless Chromium's keyboard deaf to
# Playwright until a field is filled, so the tests that go on scanning use keys, as tills do.)


def pay_cash(page: Page, given: str = "") -> None:
    page.keyboard.press("F4")
    expect(page.locator("#dialog[data-name=pay]")).to_be_visible()
    if given:
        page.locator("#tenders .amount").first.fill(given)
    page.keyboard.press("Enter")
    expect(page.locator("#dialog[data-name=receipt]")).to_be_visible()


def new_sale(page: Page) -> None:
    expect(page.locator("#new-sale")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#dialog")).not_to_be_visible()


def pending(page: Page) -> int:
    return int(page.locator("#pending").get_attribute("data-count") or "0")


def ready_offline(page: Page) -> None:
    """Waits until the service worker controls the page, so it can start with no network."""
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function(
        "navigator.serviceWorker.controller !== null || (location.reload(), false)"
    )
