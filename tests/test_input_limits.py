"""Input limits from the attacker's side: paging bounds, NUL and control characters, deep or
huge JSON, Django's own refusals. Each is a 4xx in the API's error shape, and nothing changes."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django_tenants.utils import tenant_context
from PIL import Image

from saas_platform.api.request_guards import RequestGuardMiddleware
from saas_platform.limits import MAX_JSON_BYTES, MAX_JSON_DEPTH, MAX_TEXT_LENGTH
from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Brand, Category, Product
from tenant_apps.catalog.selectors import MAX_CATEGORY_DEPTH
from tenant_apps.customers.models import Customer
from tenant_apps.customers.services import customer_create
from tests.support.catalog import make_product, unit_id
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

JSON = "application/json"

# Every list that pages with ?offset= (and ?limit=); a customer's lists are asked about one.
LISTS = [
    "catalog:product-list",
    "customers:customer-list",
    "customers:customer-ledger",
    "customers:customer-loyalty",
    "payments:payment-list",
    "payments:c2b-list",
    "purchasing:supplier-list",
    "purchasing:purchase-order-list",
    "purchasing:supplier-invoice-list",
    "inventory:stock-list",
    "inventory:movement-list",
    "sales:sale-list",
    "sales:sale-parked",
    "ledger:entry-list",
    "ledger:expense-list",
]
OF_A_CUSTOMER = {"customers:customer-ledger", "customers:customer-loyalty"}


@pytest.fixture
def owner(business: Tenant, jwt_client: Callable[[Tenant, str], Client]) -> Client:
    client = jwt_client(business, business.owner_email)
    # A 500 must show up as a response to assert on, not as an exception in the test.
    client.raise_request_exception = False
    return client


@pytest.fixture
def customer(business: Tenant) -> Customer:
    with tenant_context(business):
        return customer_create(name="Wanjiku Mwangi")


def error_of(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith(JSON), response.content[:300]
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return dict(body["error"])


def counts(tenant: Tenant) -> tuple[int, int, int, int]:
    with tenant_context(tenant):
        return (
            Product.objects.count(),
            Category.objects.count(),
            Brand.objects.count(),
            Customer.objects.count(),
        )


# --- paging -----------------------------------------------------------------------------------


# The lists that were whole or cut at a fixed length before every list paged (docs/api.md).
LISTS += [
    "catalog:category-list",
    "catalog:brand-list",
    "catalog:unit-list",
    "catalog:tax-rate-list",
    "catalog:price-list-list",
    "payments:provider-list",
    "inventory:location-list",
    "inventory:transfer-list",
    "inventory:reservation-list",
    "inventory:alert-list",
    "inventory:valuation-report",
    "sales:register-list",
    "sales:coupon-list",
    "ledger:account-list",
    "ledger:budget-list",
    "staff:staff-list",
    "staff:api-key-list",
    "audit:entry-list",
]

BAD_PAGES = [
    ("offset=99999999999999999999", "offset", "out_of_range"),
    ("offset=10000001", "offset", "out_of_range"),
    ("offset=-1", "offset", "out_of_range"),
    ("offset=abc", "offset", "invalid"),
    ("offset=1e3", "offset", "invalid"),
    ("limit=0", "limit", "out_of_range"),
    ("limit=501", "limit", "out_of_range"),
    ("limit=99999999999999999999999999", "limit", "out_of_range"),
    ("limit=%D9%A3", "limit", "invalid"),  # an Arabic-Indic three, which int() would take
]


def test_every_list_refuses_a_bad_page_with_a_field_error(
    owner: Client, customer: Customer
) -> None:
    for query, field, code in BAD_PAGES:
        for route in LISTS:
            ids = {"customer_id": customer.pk} if route in OF_A_CUSTOMER else {}
            url = tenant_path(route, **ids)
            response = owner.get(f"{url}?{query}")

            assert response.status_code == 400, (url, query, response.content[:200])
            error = error_of(response)
            assert error["code"] == "validation_error", (url, query)
            assert error["fields"][field][0]["code"] == code, (url, query, error)


def test_pages_within_bounds_still_page(owner: Client, business: Tenant) -> None:
    for sku in ("A", "B", "C"):
        make_product(business, sku, f"Product {sku}")

    first = owner.get(tenant_path("catalog:product-list") + "?limit=2&offset=0").json()
    beyond = owner.get(tenant_path("catalog:product-list") + "?limit=2&offset=10000000").json()
    customers = owner.get(tenant_path("customers:customer-list") + "?limit=500&offset=10000000")

    assert [p["sku"] for p in first["results"]] == ["A", "B"]
    assert beyond["results"] == []
    assert customers.status_code == 200
    page = customers.json()
    assert (page["count"], page["next"], page["results"]) == (0, None, [])
    assert page["previous"].endswith("/api/v1/customers/?limit=500&offset=9999500")


def test_the_documents_state_the_paging_bounds(owner: Client) -> None:
    schema = owner.get(tenant_path("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    parameters = schema["paths"]["/api/v1/customers/"]["get"]["parameters"]
    offset = next(p for p in parameters if p["name"] == "offset")
    assert (offset["schema"]["minimum"], offset["schema"]["maximum"]) == (0, 10_000_000)


# --- NUL and control characters in the URL ----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (tenant_path("customers:customer-list") + "?q=%00", "q"),
        (tenant_path("payments:payment-list") + "?purpose=%00", "purpose"),
        (tenant_path("purchasing:supplier-list") + "?search=%00", "search"),
        (tenant_path("purchasing:supplier-list") + "?search=ok%1Bnot", "search"),
        (tenant_path("catalog:product-list") + "?q%00=1", "q\\0"),
        # Spelled out: reverse() would quote the "%" of a path segment.
        ("/api/v1/catalog/barcodes/%00/", "path"),
        ("/api/v1/catalog/barcodes/59012%0A34/", "path"),
    ],
)
def test_control_characters_in_the_url_are_refused(owner: Client, url: str, field: str) -> None:
    response = owner.get(url)

    assert response.status_code == 400, response.content[:300]
    error = error_of(response)
    assert error["code"] == "invalid_characters"
    assert error["fields"][field][0]["code"] == "invalid_characters"


def test_a_nul_on_a_page_is_a_plain_400_page(business: Tenant, tenant_client: Any) -> None:
    response = tenant_client(business).get(tenant_path("terminal:login") + "?next=%00")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_nul_in_a_posted_url_changes_nothing(owner: Client, business: Tenant) -> None:
    before = counts(business)

    brand_list_path = tenant_path("catalog:brand-list") + "?x=%00"
    response = owner.post(brand_list_path, {"name": "Sneaky"}, content_type=JSON)

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_characters"
    assert counts(business) == before


# --- JSON bodies --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"name": "Soda\u0000"}, "name", "invalid_characters"),
        (
            {"name": "ok", "parent": None, "x": ["a", {"b": "\u0007"}]},
            "x[1].b",
            "invalid_characters",
        ),
        ({"name": "\ud800"}, "name", "invalid_characters"),
        ({"name\u0000": "Soda"}, "name\u0000", "invalid_characters"),
        ({"name": "x" * 10_001}, "name", "too_long"),
    ],
)
def test_a_json_string_with_a_nul_or_too_long_is_a_field_error(
    owner: Client, business: Tenant, body: dict[str, Any], field: str, code: str
) -> None:
    before = counts(business)

    response = owner.post(tenant_path("catalog:category-list"), json.dumps(body), content_type=JSON)

    assert response.status_code == 400, response.content[:300]
    error = error_of(response)
    assert error["code"] == code
    assert error["fields"][field][0]["code"] == code
    assert counts(business) == before


@pytest.mark.parametrize(
    "body",
    [
        "[" * 5_000 + "]" * 5_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        json.dumps(
            {"name": "Deep", "x": json.loads("[" * (MAX_JSON_DEPTH) + "]" * MAX_JSON_DEPTH)}
        ),
    ],
    ids=["5k-arrays", "100k-objects", "just-over-the-limit"],
)
def test_deeply_nested_json_is_refused(owner: Client, business: Tenant, body: str) -> None:
    before = counts(business)

    response = owner.post(tenant_path("catalog:category-list"), body, content_type=JSON)

    assert response.status_code == 400, response.content[:300]
    error = error_of(response)
    assert error["code"] == "too_deep"
    assert all(p[0]["code"] == "too_deep" for p in error["fields"].values())
    assert counts(business) == before


def test_nesting_up_to_the_limit_is_parsed(owner: Client) -> None:
    nested = json.loads("[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1))

    response = owner.post(
        tenant_path("catalog:category-list"),
        json.dumps({"name": "Fine", "x": nested}),
        content_type=JSON,
    )

    assert response.status_code == 201, response.content[:300]


def test_deep_variant_attributes_are_refused(owner: Client, business: Tenant) -> None:
    product = make_product(business, "TEE", "T-shirt")
    attributes = '{"size":' + "[" * 3_000 + "]" * 3_000 + "}"

    response = owner.patch(
        tenant_path("catalog:product-detail", product_id=product.pk),
        '{"variant_attributes": ' + attributes + "}",
        content_type=JSON,
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "too_deep"
    with tenant_context(business):
        assert Product.objects.get(pk=product.pk).variant_attributes == {}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_numbers_json_cannot_hold_are_refused(owner: Client, business: Tenant, number: str) -> None:
    product = make_product(business, "TEE", "T-shirt")

    response = owner.patch(
        tenant_path("catalog:product-detail", product_id=product.pk),
        '{"variant_attributes": {"size": ' + number + "}}",
        content_type=JSON,
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "parse_error"
    with tenant_context(business):
        assert Product.objects.get(pk=product.pk).variant_attributes == {}


# --- body size ----------------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_a_json_body_over_the_limit_is_a_json_413(
    owner: Client, business: Tenant, debug: bool
) -> None:
    before = counts(business)
    big = json.dumps({"name": "x" * (MAX_JSON_BYTES + 1)})

    with override_settings(DEBUG=debug):
        response = owner.post(tenant_path("catalog:category-list"), big, content_type=JSON)

    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"
    assert counts(business) == before


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_a_20_mb_upload_is_a_json_413(owner: Client, business: Tenant, debug: bool) -> None:
    before = counts(business)
    csv_file = SimpleUploadedFile("products.csv", b"sku,name\n" + b"x" * 20_000_000)

    with override_settings(DEBUG=debug):
        response = owner.post(tenant_path("catalog:product-import"), {"file": csv_file})

    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"
    assert counts(business) == before


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_djangos_own_refusal_of_a_big_body_is_a_json_413(
    owner: Client, business: Tenant, debug: bool
) -> None:
    """RequestDataTooBig, raised when DRF reads a body over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    before = counts(business)
    body = json.dumps({"name": "x" * 2_000})

    with override_settings(DEBUG=debug, DATA_UPLOAD_MAX_MEMORY_SIZE=1_000):
        response = owner.post(tenant_path("catalog:category-list"), body, content_type=JSON)

    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"
    assert counts(business) == before


def test_a_form_body_over_djangos_limit_is_a_json_413(owner: Client, business: Tenant) -> None:
    before = counts(business)

    response = owner.post(
        tenant_path("catalog:brand-list"),
        "name=" + "x" * 3_000_000,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"
    assert counts(business) == before


# --- Django's own error pages on API paths ------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_an_unknown_api_route_is_json_with_debug_on_or_off(owner: Client, debug: bool) -> None:
    with override_settings(DEBUG=debug):
        response = owner.get("/api/v1/no-such-thing/")  # no route: spelled out

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_a_suspicious_file_name_is_a_json_400(owner: Client, business: Tenant, debug: bool) -> None:
    """The image is stored under the product's SKU, and this SKU climbs out of the media
    folder: Django's storage refuses the path (SuspiciousFileOperation)."""
    product = make_product(business, "../../escape", "T-shirt")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    png = buffer.getvalue()
    image = SimpleUploadedFile("tee.png", png, content_type="image/png")

    with override_settings(DEBUG=debug):
        product_image_path = tenant_path("catalog:product-image", product_id=product.pk)
        response = owner.post(product_image_path, {"image": image})

    assert response.status_code == 400, response.content[:300]
    assert error_of(response)["code"] == "bad_request"
    with tenant_context(business):
        assert not Product.objects.get(pk=product.pk).image


# --- text lengths and what error messages quote ----------------------------------------------


def test_a_description_over_the_text_limit_is_refused(owner: Client, business: Tenant) -> None:
    before = counts(business)
    body = {"name": "Soap", "sku": "SOAP", "unit": unit_id(business), "price": "10"}

    response = owner.post(
        tenant_path("catalog:product-list"),
        {**body, "description": "d" * (MAX_TEXT_LENGTH + 1)},
        content_type=JSON,
    )

    assert response.status_code == 400
    assert error_of(response)["fields"]["description"][0]["code"] == "max_length"
    assert counts(business) == before


@pytest.mark.parametrize(
    ("attributes", "code"),
    [
        ({f"k{i}": "v" for i in range(21)}, "too_many"),
        ({"k" * 51: "v"}, "invalid_name"),
        ({"size": "v" * 201}, "too_long"),
        ({"size": {"nested": "no"}}, "invalid"),
    ],
)
def test_variant_attributes_are_a_few_short_pairs(
    owner: Client, business: Tenant, attributes: dict[str, Any], code: str
) -> None:
    product = make_product(business, "TEE", "T-shirt")

    response = owner.patch(
        tenant_path("catalog:product-detail", product_id=product.pk),
        {"variant_attributes": attributes},
        content_type=JSON,
    )

    assert response.status_code == 400
    assert error_of(response)["fields"]["variant_attributes"][0]["code"] == code
    with tenant_context(business):
        assert Product.objects.get(pk=product.pk).variant_attributes == {}


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (tenant_path("customers:customer-list"), {"name": "Long Mail"}),
        (tenant_path("purchasing:supplier-list"), {"name": "Long Mail Ltd"}),
    ],
)
def test_an_email_longer_than_its_column_is_a_field_error(
    owner: Client, business: Tenant, url: str, body: dict[str, str]
) -> None:
    # Valid as an address (DRF allows 320 characters), too long for the column (254).
    address = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com"

    response = owner.post(url, {**body, "email": address}, content_type=JSON)

    assert response.status_code == 400, response.content[:300]
    assert error_of(response)["fields"]["email"][0]["code"] == "max_length"
    assert owner.get(url).json()["results"] == []


def test_an_error_quotes_at_most_100_characters_of_the_input(owner: Client) -> None:
    sent = "k" * 9_000

    as_body = owner.post(
        tenant_path("catalog:product-list"),
        {"name": "Soap", "sku": "SOAP", "unit": 1, "price": "1", "kind": sent},
        content_type=JSON,
    )
    as_query = owner.get(tenant_path("catalog:product-list") + f"?kind={sent}")
    as_path = owner.get(tenant_path("catalog:barcode-detail", code=sent[:2_000]))
    huge = owner.post(tenant_path("catalog:brand-list"), {"name": "x" * 100_000}, content_type=JSON)

    for response in (as_body, as_query, as_path, huge):
        assert 400 <= response.status_code < 500, response.content[:200]
        text = response.content.decode()
        assert "k" * 101 not in text and "x" * 101 not in text, text[:300]
        assert len(text) < 1_500
    assert "k" * 100 + "…" in as_body.content.decode()


def test_every_text_the_api_stores_has_a_length_in_the_documents(owner: Client) -> None:
    """Each writable string of a request body states its maximum length (or is a choice, a
    date, a pattern…): a text field added without one fails here."""
    schema = owner.get(tenant_path("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    unbounded = sorted(
        f"{name}{path}"
        for name, path in _request_strings(schema, components)
        if f"{name}{path}" not in UNSTORED_TEXT
    )

    assert unbounded == []


# Request strings that are never stored, only looked up or checked (the JSON parser still caps
# every string at MAX_JSON_STRING), and free-form objects checked by their service.
UNSTORED_TEXT = {
    "EntryListCreateApiInputSerializerLine.account",  # an account's role or code, looked up
    "LogoutApiInput.refresh",
    "PasswordResetApiInput.email",
    "PasswordResetConfirm.uid",
    "PasswordResetConfirm.token",
    "PinLoginApiInput.email",
    "TenantLogin.email",
    "TenantLogin.password",
    "TenantTokenRefresh.refresh",
    "SaleReceiptEmailApiInput.to",  # an address to send to, not kept
    "_ProductInput.variant_attributes",  # limits checked by the catalog service
    "Patched_ProductInput.variant_attributes",
    "CheckoutApiInput.lines[]",  # lines and tenders: each key checked by the checkout
    "CheckoutApiInput.tenders[]",
    "CartInput.lines[]",
    "SaleReturnApiInput.lines[]",
}
_BOUNDED_FORMATS = {"date", "date-time", "uuid", "binary", "decimal", "uri"}


def _request_strings(schema: dict[str, Any], components: dict[str, Any]) -> list[tuple[str, str]]:
    used: set[str] = set()

    def refs(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    used.add(value.rsplit("/", 1)[-1])
                else:
                    refs(value)
        elif isinstance(node, list):
            for item in node:
                refs(item)

    for operations in schema["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                refs(operation["requestBody"])
    size = -1
    while size != len(used):
        size = len(used)
        for name in list(used):
            refs(components.get(name, {}))

    found: list[tuple[str, str]] = []
    stack = [(name, components[name], "") for name in sorted(used) if name in components]
    while stack:
        name, node, path = stack.pop()
        if not isinstance(node, dict) or node.get("readOnly"):
            continue
        kind = node.get("type")
        if kind == "string" and not (
            "maxLength" in node
            or "enum" in node
            or "pattern" in node
            or node.get("format") in _BOUNDED_FORMATS
        ):
            found.append((name, path))
        if kind == "object" and node.get("additionalProperties") in (True, {}):
            found.append((name, path))
        for key, child in node.get("properties", {}).items():
            stack.append((name, child, f"{path}.{key}"))
        if "items" in node:
            stack.append((name, node["items"], f"{path}[]"))
        for key in ("allOf", "oneOf", "anyOf"):
            stack.extend((name, child, path) for child in node.get(key, []))
    return found


# --- category depth -------------------------------------------------------------------------


def test_categories_nest_at_most_eight_levels(owner: Client, business: Tenant) -> None:
    parent = None
    for level in range(MAX_CATEGORY_DEPTH):
        response = owner.post(
            tenant_path("catalog:category-list"),
            {"name": f"L{level + 1}", "parent": parent},
            content_type=JSON,
        )
        assert response.status_code == 201, response.content
        parent = response.json()["id"]
    before = counts(business)

    ninth = owner.post(
        tenant_path("catalog:category-list"), {"name": "L9", "parent": parent}, content_type=JSON
    )

    assert ninth.status_code == 400
    assert error_of(ninth)["fields"]["parent"][0]["code"] == "too_deep"
    assert counts(business) == before


def test_a_move_that_would_nest_too_deep_is_refused(owner: Client, business: Tenant) -> None:
    def chain(prefix: str, length: int) -> list[int]:
        ids: list[int] = []
        for level in range(length):
            response = owner.post(
                tenant_path("catalog:category-list"),
                {"name": f"{prefix}{level}", "parent": ids[-1] if ids else None},
                content_type=JSON,
            )
            ids.append(response.json()["id"])
        return ids

    deep, branch = chain("D", 5), chain("B", 4)

    moved = owner.patch(
        tenant_path("catalog:category-detail", category_id=branch[0]),
        {"parent": deep[-1]},
        content_type=JSON,
    )
    fits = owner.patch(
        tenant_path("catalog:category-detail", category_id=branch[1]),
        {"parent": deep[-1]},
        content_type=JSON,
    )

    assert moved.status_code == 400
    assert error_of(moved)["fields"]["parent"][0]["code"] == "too_deep"
    assert fits.status_code == 200, fits.content
    with tenant_context(business):
        assert Category.objects.get(pk=branch[0]).parent_id is None


def test_the_tree_of_an_old_deep_branch_is_bounded(owner: Client, business: Tenant) -> None:
    """Rows written before the limit (straight into the table here) still list quickly: the
    tree stops at eight levels and paths show their last eight."""
    with tenant_context(business):
        parent = None
        for level in range(2_000):
            parent = Category.objects.create(name=f"C{level}", parent=parent)

    started = time.monotonic()
    categories = tenant_path("catalog:category-list")
    tree = owner.get(categories + "?tree=true")
    flat, page = [], owner.get(categories + "?limit=500").json()
    while True:
        flat += page["results"]
        if page["next"] is None:
            break
        page = owner.get(page["next"]).json()
    elapsed = time.monotonic() - started

    assert tree.status_code == 200 and len(flat) == 2_000
    depth, node = 0, {"children": tree.json()["tree"]}
    while node["children"]:
        node, depth = node["children"][0], depth + 1
    assert depth == MAX_CATEGORY_DEPTH
    deepest = next(row for row in flat if row["name"] == "C1999")
    assert deepest["path"] == "…/" + "/".join(f"C{n}" for n in range(1992, 2000))
    assert elapsed < 3


@pytest.mark.parametrize(
    "url",
    [
        tenant_path("inventory:valuation-report") + "?location=%C2%B2",
        tenant_path("sales:sale-parked") + "?register=%C2%B2",
        tenant_path("audit:entry-list") + "?actor=%C2%B2",
    ],
)
def test_a_superscript_digit_in_an_id_filter_is_not_a_500(owner: Client, url: str) -> None:
    """A superscript two passes str.isdigit() but not int(): no match, or a refusal."""
    response = owner.get(url)

    assert response.status_code < 500, response.content[:300]


@pytest.mark.parametrize(
    ("path", "content_type", "becomes_json"),
    [
        # DEBUG's technical 500 page
        (tenant_path("sales:sale-list"), "text/html; charset=utf-8", True),
        # DRF's plain-text traceback under DEBUG
        (tenant_path("sales:sale-list"), "text/plain", True),
        (tenant_path("ledger:vat-report"), "text/csv", False),  # a refusal written as CSV
        (tenant_path("terminal:login"), "text/html; charset=utf-8", False),  # pages stay pages
    ],
)
def test_an_api_error_page_that_is_not_json_is_answered_in_the_shape(
    path: str, content_type: str, becomes_json: bool
) -> None:
    page = HttpResponse("<h1>Traceback…</h1>", status=500, content_type=content_type)
    guard = RequestGuardMiddleware(lambda request: page)

    response = guard(RequestFactory().get(path))

    assert response.status_code == 500
    if becomes_json:
        assert json.loads(response.content)["error"]["code"] == "server_error"
    else:
        assert response is page
