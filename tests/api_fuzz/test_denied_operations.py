"""Which operations the cashier's fuzz run tries once, not in full: those the cashier's role may
not use at all, read from the views' own permission settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler

from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import tenant_domain_for
from shared_apps.users.models import Role, User
from tests.api_fuzz.conftest import a_path_of, openapi_document, operations_denied_to
from tests.support.people import access_token_for

pytestmark = pytest.mark.django_db


def test_the_cashier_is_denied_what_the_role_lacks_and_the_owner_nothing(
    wsgi_app: WSGIHandler,
    business: Tenant,
    member: Callable[..., User],
    tenant_client: Callable[[Tenant], Any],
) -> None:
    document = openapi_document(wsgi_app, tenant_domain_for(business.slug), "business")
    denied = operations_denied_to(Role.CASHIER, document)

    assert operations_denied_to(Role.OWNER, document) == []
    assert "ledger_accounts_list" in denied  # the books are the owner's and the accountant's
    assert "v1_sales_checkout_create" not in denied  # selling is the cashier's work
    # Each one really is refused: the role, not the input, decides.
    cashier = member(business, "cashier")
    client = tenant_client(business)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {access_token_for(business, cashier.email)}"
    paths = {
        item["get"]["operationId"]: a_path_of(path, item["get"])
        for path, item in document["paths"].items()
        if "get" in item
    }
    for operation_id in [op for op in denied if op in paths]:
        response = client.get(paths[operation_id])
        assert response.status_code == 403, operation_id
        assert response.json()["error"]["code"] == "permission_denied", operation_id
