"""Every list pages one way: ``?limit=&offset=`` in, ``{count, next, previous, results}`` out
(saas_platform/api/pagination.py, docs/api.md "Lists")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.services import brand_create
from tests.support.urls import tenant_path

pytestmark = pytest.mark.django_db

URL = tenant_path("catalog:brand-list")


@pytest.fixture
def brands(business: Tenant) -> list[str]:
    names = ["Brookside", "Daima", "Ketepa", "Kimbo", "Menengai"]
    with tenant_context(business):
        for name in names:
            brand_create(name=name)
    return names


def names(page: dict[str, Any]) -> list[str]:
    return [row["name"] for row in page["results"]]


def test_a_list_is_read_page_by_page_through_its_links(
    owner_client: Client, brands: list[str]
) -> None:
    first = owner_client.get(URL, {"limit": 2}).json()
    second = owner_client.get(first["next"]).json()
    third = owner_client.get(second["next"]).json()

    assert set(first) == {"count", "next", "previous", "results"}
    assert [names(first), names(second), names(third)] == [brands[:2], brands[2:4], brands[4:]]
    assert [first["count"], second["count"], third["count"]] == [5, 5, 5]
    assert first["next"].endswith(f"{URL}?limit=2&offset=2")
    assert (first["previous"], third["next"]) == (None, None)
    assert second["previous"].endswith(f"{URL}?limit=2")
    assert third["previous"].endswith(f"{URL}?limit=2&offset=2")


def test_the_default_page_holds_a_hundred(owner_client: Client, business: Tenant) -> None:
    with tenant_context(business):
        for number in range(101):
            brand_create(name=f"Brand {number:03d}")

    page = owner_client.get(URL).json()

    assert (len(page["results"]), page["count"]) == (100, 101)
    assert page["next"].endswith(f"{URL}?limit=100&offset=100")


def test_a_last_page_that_is_not_full_needs_no_count_query(
    owner_client: Client, brands: list[str]
) -> None:
    with CaptureQueriesContext(connection) as whole:
        owner_client.get(URL)
    with CaptureQueriesContext(connection) as full:
        owner_client.get(URL, {"limit": 5})

    counted = [q["sql"] for q in whole.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counted == []
    assert any("COUNT(" in q["sql"].upper() for q in full.captured_queries)


def test_filters_and_a_bad_page_are_refused_together(owner_client: Client) -> None:
    response = owner_client.get(
        tenant_path("catalog:product-list"), {"kind": "gift", "offset": "x"}
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"kind", "offset"}


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _answers(document: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    body = content.get("application/json", {}).get("schema")
    if body is None:
        return []
    body = _resolved(document, body)
    return [_resolved(document, one) for one in body.get("oneOf", [body])]


@pytest.mark.parametrize("host", ["business", "root"])
def test_every_list_documents_its_page(
    host: str, business: Tenant, tenant_client: Callable[[Tenant], Client], root_client: Client
) -> None:
    """A list is an answer with `results`: each documents `limit` and `offset` and answers the
    whole envelope, so no list can be added that pages another way (or not at all)."""
    client = tenant_client(business) if host == "business" else root_client
    document = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    lists, wrong = [], []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        for answer in _answers(document, operation):
            if "results" not in answer.get("properties", {}):
                continue
            lists.append(path)
            parameters = {p["name"] for p in operation.get("parameters", [])}
            envelope = {"count", "next", "previous", "results"}
            if not {"limit", "offset"} <= parameters or not envelope <= set(answer["required"]):
                wrong.append(path)

    assert lists
    assert wrong == []
