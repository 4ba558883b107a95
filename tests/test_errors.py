"""One error format for every failure the API can report."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf

from saas_platform.api.exception_handler import api_exception_handler
from saas_platform.errors import Conflict, FieldErrorCollector, ValidationFailed
from tests.support.urls import root_path, tenant_path


def body(exc: Exception) -> tuple[int, dict[str, Any]]:
    response = api_exception_handler(exc, {})
    assert response is not None
    return response.status_code, response.data


def test_domain_error_keeps_its_code_status_and_fields() -> None:
    status, data = body(Conflict.for_field("slug", "slug_taken", "Taken."))

    assert status == 409
    assert data == {
        "error": {
            "code": "conflict",
            "message": "Taken.",
            "fields": {"slug": [{"code": "slug_taken", "message": "Taken."}]},
        }
    }


def test_nested_serializer_errors_are_flattened_with_paths() -> None:
    exc = drf.ValidationError(
        {"lines": [{"qty": [drf.ErrorDetail("Must be positive.", code="min_value")]}, {}]}
    )

    status, data = body(exc)

    assert status == 400
    assert data["error"]["fields"] == {
        "lines[0].qty": [{"code": "min_value", "message": "Must be positive."}]
    }
    assert data["error"]["message"] == "lines[0].qty: Must be positive."


def test_django_validation_error_becomes_a_400() -> None:
    status, data = body(DjangoValidationError({"code": ["Already used."]}))

    assert status == 400
    assert data["error"]["fields"]["code"][0]["message"] == "Already used."


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (Http404(), 404, "not_found"),
        (drf.NotAuthenticated(), 401, "not_authenticated"),
        (drf.MethodNotAllowed("PUT"), 405, "method_not_allowed"),
        (drf.Throttled(wait=3), 429, "throttled"),
        (ValidationFailed(), 400, "validation_error"),
    ],
)
def test_framework_errors_share_the_format(exc: Exception, status: int, code: str) -> None:
    got_status, data = body(exc)

    assert got_status == status
    assert data["error"]["code"] == code
    assert data["error"]["message"]


def test_unexpected_errors_are_not_disguised_as_client_errors() -> None:
    assert api_exception_handler(RuntimeError("bug"), {}) is None


@pytest.mark.django_db
def test_unknown_api_route_is_json_404(root_client: Any) -> None:
    response = root_client.get("/api/v1/no-such-thing/")  # no route: spelled out

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_openapi_schema_documents_signup(root_client: Any) -> None:
    response = root_client.get(root_path("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    # The documents' paths are the published addresses, spelled out here and below.
    assert "/api/v1/signup/" in response.json()["paths"]


@pytest.mark.django_db
def test_business_host_documents_its_own_api(make_tenant: Any, tenant_client: Any) -> None:
    client = tenant_client(make_tenant())

    paths = client.get(tenant_path("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    docs = client.get(tenant_path("swagger-ui"))

    assert "/api/v1/inventory/locations/" in paths["paths"]
    assert "/api/v1/signup/" not in paths["paths"]
    assert docs.status_code == 200


@pytest.mark.django_db
# The documents' published addresses, spelled out: the same on the root domain and business hosts.
@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_api_documents_load_nothing_from_outside(
    make_tenant: Any, tenant_client: Any, root_client: Any, page: str
) -> None:
    """Both pages work offline: every script, style and font comes from our own host."""
    for client in (root_client, tenant_client(make_tenant())):
        html = client.get(page).content.decode()

        assert client.get(page).status_code == 200
        if page == "/api/docs/":
            # Swagger UI's default would fetch a badge from validator.swagger.io.
            assert '"validatorUrl": null' in html
        assert re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\"' ]*", html) == [], html[:2_000]
        for asset in re.findall(r"""(?:src|href)=["']([^"']+)["']""", html):
            # Ours: a static file of the project (served by WhiteNoise), or the schema itself.
            assert asset.startswith("/"), asset
            if asset.startswith(settings.STATIC_URL):
                assert finders.find(asset.removeprefix(settings.STATIC_URL)), asset


@pytest.mark.django_db
def test_operations_are_tagged_by_app(make_tenant: Any, tenant_client: Any) -> None:
    client = tenant_client(make_tenant())
    schema = client.get(
        tenant_path("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()

    tags = {
        tag
        for operations in schema["paths"].values()
        for operation in operations.values()
        for tag in operation.get("tags", [])
    }

    assert "v1" not in tags
    assert {"catalog", "inventory", "sales", "payments", "customers", "ledger"} <= tags
    assert schema["paths"]["/api/v1/catalog/products/"]["get"]["tags"] == ["catalog"]


# --- the one field-error collector -------------------------------------------------------------


def test_collector_reports_every_problem_in_order_and_names_the_first() -> None:
    errors = FieldErrorCollector()
    errors.add("lines[0].quantity", "not_positive", "Sell more than zero.")
    errors.add("coupon", "unknown_coupon", "No coupon X.")
    errors.add("lines[0].quantity", "not_whole", "Bread is sold whole.")

    with pytest.raises(ValidationFailed) as refused:
        errors.raise_if_any()

    assert refused.value.message == "lines[0].quantity: Sell more than zero."
    assert refused.value.fields == {
        "lines[0].quantity": [
            {"code": "not_positive", "message": "Sell more than zero."},
            {"code": "not_whole", "message": "Bread is sold whole."},
        ],
        "coupon": [{"code": "unknown_coupon", "message": "No coupon X."}],
    }
    status, data = body(refused.value)
    assert status == 400
    assert data["error"]["message"] == "lines[0].quantity: Sell more than zero."


def test_collector_without_problems_raises_nothing() -> None:
    errors = FieldErrorCollector()

    errors.raise_if_any()

    assert not errors
    assert "name" not in errors


def test_collector_takes_another_checks_problems_and_a_class_and_message_of_its_own() -> None:
    errors = FieldErrorCollector()
    errors.add("code", "blank", "Give a code.")
    errors.extend(ValidationFailed.for_field("code", "invalid_barcode", "Not a barcode.").fields)

    with pytest.raises(Conflict) as refused:
        errors.raise_if_any(Conflict, message="2 problems; nothing was saved.")

    assert refused.value.status == 409
    assert refused.value.message == "2 problems; nothing was saved."
    assert [p["code"] for p in refused.value.fields["code"]] == ["blank", "invalid_barcode"]
