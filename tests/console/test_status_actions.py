"""Suspending and reactivating a business from its console page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from saas_platform.errors import Conflict, ValidationFailed
from saas_platform.tenancy import use_public_schema
from shared_apps.console.services import console_tenant_suspend
from shared_apps.tenants.models import Tenant, TenantStatus, TenantStatusChange
from shared_apps.tenants.services import tenant_set_status
from shared_apps.users.models import User
from tests.console.conftest import OWNER_EMAIL
from tests.support.tenants import STRONG_PASSWORD
from tests.support.urls import root_path, tenant_path

pytestmark = pytest.mark.django_db


def suspend_url(tenant: Tenant) -> str:
    return root_path("console:tenant-suspend", slug=tenant.slug)


def reactivate_url(tenant: Tenant) -> str:
    return root_path("console:tenant-reactivate", slug=tenant.slug)


def status_of(tenant: Tenant) -> str:
    use_public_schema()
    return Tenant.objects.get(pk=tenant.pk).status


def test_suspend_with_a_reason_blocks_the_business_and_records_who_and_why(
    make_tenant: Callable[..., Tenant],
    tenant_client: Callable[[Tenant], Client],
    owner_client: Client,
) -> None:
    # given a business whose site works
    tenant = make_tenant(business_name="Risky Shop")
    assert tenant_client(tenant).get(tenant_path("tenants:business-detail")).status_code == 200
    use_public_schema()

    # when the platform owner suspends it with a reason
    response = owner_client.post(suspend_url(tenant), {"reason": "  Chargeback fraud  "})

    # then it is suspended, the change is recorded, and its host refuses service
    assert response.status_code == 302
    assert response["Location"] == f"/console/tenants/{tenant.slug}/"
    tenant.refresh_from_db()
    assert (tenant.status, tenant.status_reason) == ("suspended", "Chargeback fraud")
    change = TenantStatusChange.objects.get(tenant=tenant)
    assert (change.from_status, change.to_status, change.reason, change.actor_email) == (
        "trialing",
        "suspended",
        "Chargeback fraud",
        OWNER_EMAIL,
    )
    refused = tenant_client(tenant).get(tenant_path("tenants:business-detail"))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "tenant_suspended"


def test_detail_page_shows_the_status_history(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    tenant = make_tenant(business_name="History Shop")
    owner_client.post(suspend_url(tenant), {"reason": "Chargeback fraud"})

    page = owner_client.get(root_path("console:tenant-detail", slug=tenant.slug), follow=True)

    content = page.content.decode()
    assert page.status_code == 200
    assert "History Shop is now Suspended." in content
    assert "Chargeback fraud" in content
    assert OWNER_EMAIL in content
    assert [(c.from_status, c.to_status) for c in page.context["history"]] == [
        ("trialing", "suspended")
    ]


def test_reactivate_serves_the_business_again_in_the_status_it_had(
    make_tenant: Callable[..., Tenant],
    tenant_client: Callable[[Tenant], Client],
    owner_client: Client,
) -> None:
    tenant = make_tenant()
    tenant_set_status(tenant=tenant, status=TenantStatus.SUSPENDED, reason="fraud check")

    response = owner_client.post(reactivate_url(tenant), {"reason": "Cleared by support"})

    assert response.status_code == 302
    assert status_of(tenant) == "trialing"  # a trial stays a trial, never "active" unpaid
    latest = TenantStatusChange.objects.filter(tenant=tenant).first()
    assert latest is not None
    assert (latest.from_status, latest.to_status, latest.reason, latest.actor_email) == (
        "suspended",
        "trialing",
        "Cleared by support",
        OWNER_EMAIL,
    )
    assert tenant_client(tenant).get(tenant_path("tenants:business-detail")).status_code == 200


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_suspend_without_a_reason_changes_nothing(
    make_tenant: Callable[..., Tenant], owner_client: Client, reason: str | None
) -> None:
    tenant = make_tenant()

    data = {} if reason is None else {"reason": reason}
    response = owner_client.post(suspend_url(tenant), data)

    assert response.status_code == 400
    assert b"Give a reason" in response.content
    assert status_of(tenant) == "trialing"
    assert not TenantStatusChange.objects.filter(tenant=tenant).exists()


def test_reason_longer_than_the_history_keeps_is_refused(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    tenant = make_tenant()

    response = owner_client.post(suspend_url(tenant), {"reason": "x" * 501})

    assert response.status_code == 400
    assert status_of(tenant) == "trialing"
    assert not TenantStatusChange.objects.filter(tenant=tenant).exists()


def test_suspending_a_suspended_business_is_a_conflict_and_records_nothing(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    tenant = make_tenant(business_name="Twice Shop")
    owner_client.post(suspend_url(tenant), {"reason": "first"})

    response = owner_client.post(suspend_url(tenant), {"reason": "second"})

    assert response.status_code == 409
    assert b"Twice Shop is already suspended." in response.content
    assert list(TenantStatusChange.objects.filter(tenant=tenant).values_list("reason")) == [
        ("first",)
    ]


def test_reactivating_an_active_business_is_a_conflict(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    tenant = make_tenant()
    tenant_set_status(tenant=tenant, status=TenantStatus.ACTIVE)

    response = owner_client.post(reactivate_url(tenant), {"reason": "why not"})

    assert response.status_code == 409
    assert TenantStatusChange.objects.filter(tenant=tenant).count() == 1


def test_status_change_needs_a_csrf_token(
    make_tenant: Callable[..., Tenant], platform_owner: User
) -> None:
    tenant = make_tenant()
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, enforce_csrf_checks=True)
    client.force_login(platform_owner)

    # without the token the request is refused and nothing changes
    forged = client.post(suspend_url(tenant), {"reason": "forged"})
    assert forged.status_code == 403
    assert status_of(tenant) == "trialing"
    assert not TenantStatusChange.objects.filter(tenant=tenant).exists()

    # with the token from the console's own page it goes through
    client.get(root_path("console:tenant-detail", slug=tenant.slug))
    token = client.cookies["csrftoken"].value
    genuine = client.post(suspend_url(tenant), {"reason": "real", "csrfmiddlewaretoken": token})
    assert genuine.status_code == 302
    assert status_of(tenant) == "suspended"


def test_status_change_needs_a_post(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    tenant = make_tenant()

    assert owner_client.get(suspend_url(tenant)).status_code == 405
    assert status_of(tenant) == "trialing"


def test_non_owner_cannot_suspend(make_tenant: Callable[..., Tenant]) -> None:
    tenant = make_tenant()
    use_public_schema()
    helper = User.objects.create_user("helper@duka.example", STRONG_PASSWORD, full_name="Helper")
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    anonymous = client.post(suspend_url(tenant), {"reason": "anonymous"})
    client.force_login(helper)
    logged_in = client.post(suspend_url(tenant), {"reason": "helper"})

    assert anonymous.status_code == 302
    assert logged_in.status_code == 403
    assert status_of(tenant) == "trialing"
    assert not TenantStatusChange.objects.filter(tenant=tenant).exists()


def test_the_platform_itself_has_no_console_page(
    public_tenant: Tenant, owner_client: Client
) -> None:
    assert owner_client.get(root_path("console:tenant-detail", slug="public")).status_code == 404
    tenant_suspend_path = root_path("console:tenant-suspend", slug="public")
    assert owner_client.post(tenant_suspend_path, {"reason": "x"}).status_code == 404
    assert status_of(public_tenant) == "active"


def test_unknown_business_is_a_404(owner_client: Client) -> None:
    tenant_detail_path = root_path("console:tenant-detail", slug="no-such-shop")
    assert owner_client.get(tenant_detail_path).status_code == 404


def test_services_refuse_a_blank_reason_and_an_unchanged_status(
    make_tenant: Callable[..., Tenant],
) -> None:
    tenant = make_tenant()

    with pytest.raises(ValidationFailed) as blank:
        console_tenant_suspend(tenant=tenant, reason=" \n ", actor_email=OWNER_EMAIL)
    console_tenant_suspend(tenant=tenant, reason="fraud", actor_email=OWNER_EMAIL)
    with pytest.raises(Conflict) as twice:
        console_tenant_suspend(tenant=tenant, reason="fraud again", actor_email=OWNER_EMAIL)

    assert blank.value.fields["reason"][0]["code"] == "required"
    assert twice.value.code == "status_unchanged"
    assert TenantStatusChange.objects.filter(tenant=tenant).count() == 1


def detail_actions(owner_client: Client, tenant: Tenant) -> tuple[bool, bool]:
    page = owner_client.get(root_path("console:tenant-detail", slug=tenant.slug))
    assert page.status_code == 200
    content = page.content.decode()
    return reactivate_url(tenant) in content, suspend_url(tenant) in content


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        ("trialing", (False, True)),
        ("active", (False, True)),
        ("past_due", (False, True)),
        ("suspended", (True, False)),
        ("cancelled", (False, False)),
    ],
)
def test_detail_page_offers_only_the_actions_valid_now(
    make_tenant: Callable[..., Tenant],
    owner_client: Client,
    status: str,
    offered: tuple[bool, bool],
) -> None:
    tenant = make_tenant()
    if status != "trialing":
        tenant_set_status(tenant=tenant, status=status)

    # (reactivate offered, suspend offered)
    assert detail_actions(owner_client, tenant) == offered


def test_reactivating_a_trial_that_was_never_suspended_changes_nothing(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    # the old console turned a trial into "active" with no plan this way
    tenant = make_tenant(business_name="Trial Shop")

    response = owner_client.post(reactivate_url(tenant), {"reason": "make it active"})

    assert response.status_code == 409
    assert b"Trial Shop is not suspended" in response.content
    assert status_of(tenant) == "trialing"
    assert not TenantStatusChange.objects.filter(tenant=tenant).exists()


@pytest.mark.parametrize("before", ["trialing", "active", "past_due"])
def test_suspend_then_reactivate_returns_to_the_status_before(
    make_tenant: Callable[..., Tenant], owner_client: Client, before: str
) -> None:
    tenant = make_tenant()
    if before != "trialing":
        tenant_set_status(tenant=tenant, status=before, reason="billing")

    owner_client.post(suspend_url(tenant), {"reason": "fraud check"})
    assert status_of(tenant) == "suspended"
    response = owner_client.post(reactivate_url(tenant), {"reason": "cleared"})

    assert response.status_code == 302
    assert status_of(tenant) == before
    assert detail_actions(owner_client, tenant) == (False, True)


def test_a_cancelled_business_cannot_be_suspended_and_nothing_is_recorded(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    tenant = make_tenant(business_name="Closed Shop")
    tenant_set_status(tenant=tenant, status=TenantStatus.CANCELLED, reason="owner left")

    suspended = owner_client.post(suspend_url(tenant), {"reason": "x"})
    reactivated = owner_client.post(reactivate_url(tenant), {"reason": "x"})

    assert (suspended.status_code, reactivated.status_code) == (409, 409)
    assert status_of(tenant) == "cancelled"
    assert TenantStatusChange.objects.filter(tenant=tenant).count() == 1
