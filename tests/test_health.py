"""/healthz and /readyz answer on every host, without touching tenant data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shared_apps.tenants.models import Tenant, TenantStatus
from shared_apps.tenants.services import tenant_set_status

pytestmark = pytest.mark.django_db


def hosts(tenant: Tenant) -> list[str]:
    return ["localhost", f"{tenant.slug}.localhost", "unknown-shop.localhost"]


def test_healthz_answers_on_every_host(
    public_tenant: Tenant, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant()
    for host in hosts(tenant):
        response = Client(HTTP_HOST=host).get("/healthz")
        assert response.status_code == 200, host
        assert response.json() == {"status": "ok"}


def test_readyz_checks_database_and_migrations_on_every_host(
    public_tenant: Tenant, make_tenant: Callable[..., Tenant], settings: Any
) -> None:
    tenant = make_tenant()
    for host in hosts(tenant):
        response = Client(HTTP_HOST=host).get("/readyz")
        assert response.status_code == 200, host
        body = response.json()
        assert body["status"] == "ready"
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["redis"] == "ok"


def test_probes_answer_for_a_suspended_business(make_tenant: Callable[..., Tenant]) -> None:
    tenant = make_tenant()
    tenant_set_status(tenant=tenant, status=TenantStatus.SUSPENDED)

    assert Client(HTTP_HOST=f"{tenant.slug}.localhost").get("/healthz").status_code == 200


def test_readyz_reports_unreachable_redis(public_tenant: Tenant, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = Client(HTTP_HOST="localhost").get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "not_ready"
    assert response.json()["checks"]["redis"].startswith("redis unreachable")


def test_probes_refuse_writes(public_tenant: Tenant) -> None:
    assert Client(HTTP_HOST="localhost").post("/healthz").status_code == 405
