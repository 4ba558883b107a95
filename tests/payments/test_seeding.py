"""Seeding provider accounts from the sandbox: over HTTP only, from the sandbox that runs."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from devtools.payments_sandbox import start_sandbox
from shared_apps.tenants.models import Tenant
from tenant_apps.payments.models import ProviderAccount
from tenant_apps.payments.seeding import sandbox_accounts_install

pytestmark = pytest.mark.django_db


def test_accounts_take_the_running_sandboxs_own_credentials(business: Tenant) -> None:
    # A sandbox in another process has other values (its certificate is made per process):
    # what is stored must be what this one answers, not a copy the product keeps.
    server = start_sandbox(
        port=0, deliver=False, credentials={"mpesa": {"consumer_key": "another-process-key"}}
    )
    try:
        with schema_context(business.schema_name):
            installed = sandbox_accounts_install(server.url)
            stored = ProviderAccount.objects.get(provider="mpesa")
    finally:
        server.stop()

    assert {account.provider for account in installed} == {"mpesa", "airtel", "card", "upi"}
    assert stored.base_url == server.url
    assert stored.credentials["consumer_key"] == "another-process-key"
    assert (
        stored.credentials["certificate_pem"]
        == server.credentials("mpesa").values["certificate_pem"]
    )


def test_no_sandbox_answering_leaves_the_accounts_as_they_are(
    business: Tenant, closed_url: str
) -> None:
    with schema_context(business.schema_name):
        before = list(ProviderAccount.objects.values_list("provider", "base_url", "credentials"))

        assert sandbox_accounts_install(closed_url, wait=0) == []

        after = list(ProviderAccount.objects.values_list("provider", "base_url", "credentials"))
    assert after == before
