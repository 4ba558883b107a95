"""One family of file renderers with one error behaviour: an error is the JSON error shape,
whatever format was asked for (saas_platform/api/renderers.py, docs/api.md)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from rest_framework.response import Response

from saas_platform.api.renderers import (
    BinaryRenderer,
    CSVRenderer,
    FileRenderer,
    HTMLRenderer,
    PDFRenderer,
)
from tests.support.urls import tenant_path

ERROR = {"error": {"code": "not_found", "message": "No such customer.", "fields": {}}}


@pytest.mark.parametrize("renderer", [CSVRenderer, PDFRenderer, HTMLRenderer, BinaryRenderer])
def test_an_error_body_is_written_as_json_by_every_file_renderer(
    renderer: type[FileRenderer],
) -> None:
    response = Response(ERROR, status=404)

    body = renderer().render(ERROR, renderer_context={"response": response})

    assert json.loads(body) == ERROR
    assert response["Content-Type"] == "application/json"


def test_csv_rows_go_through_the_safe_writer() -> None:
    body = CSVRenderer().render([["name", "amount"], ['=HYPERLINK("x")', "-12.50"]])

    assert list(csv.reader(io.StringIO(body.decode()))) == [
        ["name", "amount"],
        ['\'=HYPERLINK("x")', "-12.50"],
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "fmt"),
    [
        (tenant_path("sales:summary-report"), "csv"),
        (tenant_path("ledger:profit-and-loss-report"), "csv"),
        (tenant_path("customers:customer-statement", customer_id=999999), "pdf"),
        (tenant_path("customers:customer-statement", customer_id=999999), "csv"),
    ],
)
def test_a_refused_file_request_answers_in_json(owner_client: Client, url: str, fmt: str) -> None:
    response = owner_client.get(url, {"format": fmt, "start": "2026-02-10", "end": "2026-02-01"})

    assert response.status_code in (400, 404)
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"error"}
