"""Customers made through the real services (staff clients: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from saas_platform.money import money
from shared_apps.tenants.models import Tenant
from tenant_apps.customers.models import CreditEntry, Customer
from tenant_apps.customers.services import customer_create
from tenant_apps.ledger.models import JournalEntry
from tests.support.urls import tenant_path


@pytest.fixture
def shop(business: Tenant) -> Tenant:
    return business


@contextmanager
def inside(tenant: Tenant) -> Iterator[None]:
    with tenant_context(tenant):
        yield


@pytest.fixture
def make_customer(shop: Tenant) -> Callable[..., Customer]:
    def make(name: str = "Wanjiku Mwangi", limit: str = "0", **fields: Any) -> Customer:
        with tenant_context(shop):
            return customer_create(name=name, credit_limit=money(limit), **fields)

    return make


def reload(customer: Customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def balance(customer: Customer) -> Decimal:
    return Decimal(reload(customer).balance.amount)


def entry_count() -> int:
    return CreditEntry.objects.count()


def journal_count() -> int:
    return JournalEntry.objects.count()


def api_post(client: Client, route: str, body: dict[str, Any], **ids: Any) -> Any:
    return client.post(tenant_path(route, **ids), body, content_type="application/json")


def api_patch(client: Client, route: str, body: dict[str, Any], **ids: Any) -> Any:
    return client.patch(tenant_path(route, **ids), body, content_type="application/json")


def api_put(client: Client, route: str, body: dict[str, Any], **ids: Any) -> Any:
    return client.put(tenant_path(route, **ids), body, content_type="application/json")
