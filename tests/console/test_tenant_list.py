"""The tenants list: statuses, aggregates, filters, search and pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shared_apps.console.selectors import staff_count_query, tenant_staff_counts
from shared_apps.tenants.models import Tenant, TenantStatus
from shared_apps.tenants.services import tenant_set_status
from shared_apps.users.models import User
from tests.console.conftest import bare_tenant
from tests.support.urls import root_path

pytestmark = pytest.mark.django_db


def listed(client: Client, query: str = "") -> dict[str, tuple[str, int, str | None]]:
    response = client.get(root_path("console:tenant-list") + query)
    assert response.status_code == 200
    return {
        row.tenant.slug: (row.tenant.status, row.staff_count, row.plan)
        for row in response.context["rows"]
    }


def test_list_shows_each_business_with_status_and_active_staff_count(
    make_tenant: Callable[..., Tenant],
    add_staff: Callable[..., User],
    owner_client: Client,
) -> None:
    # given one business with its owner, a second active user and an inactive one
    busy = make_tenant(slug="busy-shop")
    add_staff(busy, "cashier@busy.example")
    add_staff(busy, "gone@busy.example", is_active=False)
    # and another business, suspended, with its owner only
    quiet = make_tenant(slug="quiet-shop")
    tenant_set_status(tenant=quiet, status=TenantStatus.SUSPENDED, reason="fraud check")

    # when the platform owner opens the console
    rows = listed(owner_client)

    # then each business shows its status, active staff and the plan signup started its trial on
    assert rows == {
        "busy-shop": ("trialing", 2, "Starter"),
        "quiet-shop": ("suspended", 1, "Starter"),
    }


def test_list_page_shows_plan_and_subscription_status_and_last_activity(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    tenant = make_tenant(slug="seen-shop")
    Tenant.objects.filter(pk=tenant.pk).update(
        last_activity_at=datetime(2026, 3, 4, 5, 6, tzinfo=UTC)
    )
    bare_tenant("no-billing-shop")  # made before billing existed: no subscription

    content = owner_client.get(root_path("console:tenant-list")).content.decode()

    assert "<th>Plan</th>" in content
    assert (
        '<td class="plan">Starter <span class="muted subscription-status">(trialing)</span></td>'
        in content
    )
    assert '<td class="plan">—</td>' in content
    assert "2026-03-04 05:06" in content


def test_the_plans_of_a_page_are_read_in_one_query(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    make_tenant(slug="one-shop")
    make_tenant(slug="two-shop")

    with CaptureQueriesContext(connection) as queries:
        rows = listed(owner_client)

    assert rows["one-shop"][2] == rows["two-shop"][2] == "Starter"
    assert sum("billing_subscription" in q["sql"] for q in queries.captured_queries) == 1


def test_list_leaves_out_the_platform_itself(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    make_tenant(slug="only-shop")

    assert list(listed(owner_client)) == ["only-shop"]


def test_list_does_not_show_staff_of_a_business(
    make_tenant: Callable[..., Tenant], add_staff: Callable[..., User], owner_client: Client
) -> None:
    tenant = make_tenant()
    add_staff(tenant, "private.cashier@shop.example")

    detail = owner_client.get(root_path("console:tenant-detail", slug=tenant.slug))
    page = owner_client.get(root_path("console:tenant-list"))

    assert b"private.cashier@shop.example" not in page.content
    assert b"private.cashier@shop.example" not in detail.content


def test_filter_by_status(make_tenant: Callable[..., Tenant], owner_client: Client) -> None:
    make_tenant(slug="open-shop")
    closed = make_tenant(slug="closed-shop")
    tenant_set_status(tenant=closed, status=TenantStatus.SUSPENDED, reason="unpaid")

    assert list(listed(owner_client, "?status=suspended")) == ["closed-shop"]
    assert list(listed(owner_client, "?status=trialing")) == ["open-shop"]
    assert listed(owner_client, "?status=cancelled") == {}


def test_search_matches_slug_or_name_ignoring_case(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    make_tenant(slug="mama-mboga", business_name="Mama Mboga Groceries")
    make_tenant(slug="kibanda-one", business_name="Kibanda Hardware")

    assert list(listed(owner_client, "?search=MBOGA")) == ["mama-mboga"]
    assert list(listed(owner_client, "?search=hardware")) == ["kibanda-one"]
    assert list(listed(owner_client, "?search=nothing-like-it")) == []


def test_filter_and_search_combine(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    make_tenant(slug="duka-east")
    west = make_tenant(slug="duka-west")
    tenant_set_status(tenant=west, status=TenantStatus.ACTIVE, reason="paid")

    assert list(listed(owner_client, "?status=active&search=duka")) == ["duka-west"]


def test_unknown_status_filter_is_a_400_listing_nothing(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    make_tenant()

    response = owner_client.get(root_path("console:tenant-list") + "?status=frozen")

    assert response.status_code == 400
    assert response.context["rows"] == []
    assert b"Select a valid choice" in response.content


def test_list_pages_by_fifty_newest_first(public_tenant: Tenant, owner_client: Client) -> None:
    # given 51 businesses, created one after the other
    for number in range(51):
        bare_tenant(f"bulk-{number:02d}")

    first = owner_client.get(root_path("console:tenant-list") + "?search=bulk")
    second = owner_client.get(root_path("console:tenant-list") + "?search=bulk&page=2")

    first_slugs = [row.tenant.slug for row in first.context["rows"]]
    second_slugs = [row.tenant.slug for row in second.context["rows"]]
    assert len(first_slugs) == 50
    assert first_slugs[0] == "bulk-50"
    assert second_slugs == ["bulk-00"]
    # the link to the next page keeps the search
    assert b'href="?search=bulk&amp;page=2"' in first.content


def test_out_of_range_page_shows_the_last_page(
    make_tenant: Callable[..., Tenant], owner_client: Client
) -> None:
    make_tenant(slug="lone-shop")

    assert list(listed(owner_client, "?page=9")) == ["lone-shop"]


def test_staff_counts_take_one_query_for_a_whole_page(
    make_tenant: Callable[..., Tenant], add_staff: Callable[..., User]
) -> None:
    tenants = [make_tenant() for _ in range(3)]
    add_staff(tenants[1], "second@shop.example")
    Tenant.objects.count()  # puts the connection's search_path back, as any request would have

    with CaptureQueriesContext(connection) as queries:
        counts = tenant_staff_counts(tenants)

    assert counts == {
        tenants[0].schema_name: 1,
        tenants[1].schema_name: 2,
        tenants[2].schema_name: 1,
    }
    assert len(queries) == 1
    assert queries[0]["sql"].count("UNION ALL") == 2


def test_staff_counts_of_no_tenants_ask_nothing(public_tenant: Tenant) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert tenant_staff_counts([public_tenant]) == {}

    assert len(queries) == 0


def test_staff_count_query_quotes_hostile_schema_names(public_tenant: Tenant) -> None:
    # given a schema whose name would end the identifier and the string, and holds a placeholder
    # (no parameters are passed below, so "%s" is literal there)
    hostile = "x\"; DROP TABLE users_user; -- it's 100%s"
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "x""; DROP TABLE users_user; -- it\'s 100%s"')
        cursor.execute(
            'CREATE TABLE "x""; DROP TABLE users_user; -- it\'s 100%s".users_user '
            "(LIKE public.users_user)"
        )
    rendered = staff_count_query([hostile]).as_string(connection.connection)

    counts = tenant_staff_counts([Tenant(schema_name=hostile)])

    assert '"x""; DROP TABLE users_user; -- it\'s 100%s"."users_user"' in rendered
    assert counts == {hostile: 0}
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.users_user') IS NOT NULL")
        assert cursor.fetchone() == (True,)
