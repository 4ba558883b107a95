"""Shared infrastructure (cache, file storage) never lets one business read another's data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_cache_entries_are_per_business(make_tenant: Callable[..., Tenant]) -> None:
    alpha, beta = make_tenant(), make_tenant()
    with tenant_context(alpha):
        cache.set("price-list", "alpha prices", 60)

    with tenant_context(beta):
        stolen = cache.get("price-list")
    with tenant_context(alpha):
        own = cache.get("price-list")

    assert stolen is None
    assert own == "alpha prices"
    with tenant_context(alpha):
        cache.delete("price-list")


def test_uploaded_files_are_stored_under_the_business(make_tenant: Callable[..., Tenant]) -> None:
    alpha, beta = make_tenant(), make_tenant()
    with tenant_context(alpha):
        name = default_storage.save("receipts/logo.txt", ContentFile(b"alpha logo"))
        alpha_path = default_storage.path(name)

    try:
        with tenant_context(beta):
            assert not default_storage.exists(name)
            beta_path = default_storage.path(name)
        assert f"/{alpha.schema_name}/" in alpha_path
        assert f"/{beta.schema_name}/" in beta_path
    finally:
        with tenant_context(alpha):
            default_storage.delete(name)
