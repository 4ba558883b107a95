"""The tenancy API: the business of the connection, its money and its calendar, and the one
behaviour outside a business."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from saas_platform.tenancy import (
    NoCurrentBusiness,
    business_currency,
    business_today,
    business_zone,
    current_business,
    local_date,
    start_of_day,
    use_public_schema,
)
from shared_apps.tenants.models import Tenant

EVERY_QUESTION: list[Callable[[], object]] = [
    current_business,
    business_currency,
    business_zone,
    business_today,
    lambda: local_date(timezone.now()),
    lambda: start_of_day(date(2026, 1, 1)),
]


@pytest.mark.django_db
@pytest.mark.parametrize("question", EVERY_QUESTION)
def test_on_the_public_schema_every_question_is_refused(question: Callable[[], object]) -> None:
    use_public_schema()

    with pytest.raises(NoCurrentBusiness, match="public schema"):
        question()


@pytest.mark.django_db
@pytest.mark.parametrize("question", EVERY_QUESTION)
def test_in_a_schema_no_business_owns_every_question_is_refused(
    question: Callable[[], object],
) -> None:
    # The template (and every spare cloned from it) has no Tenant row: no currency, no zone.
    with schema_context("tenant_template"), pytest.raises(NoCurrentBusiness, match="template"):
        question()


def test_outside_a_business_is_a_bug_not_a_client_error() -> None:
    # A RuntimeError reaches the exception handler as an unhandled error (a 500, logged),
    # never as a 4xx in the error shape that would blame the client.
    assert issubclass(NoCurrentBusiness, RuntimeError)


@pytest.mark.django_db
def test_a_request_or_task_tenant_is_used_as_it_is(business: Tenant) -> None:
    with tenant_context(business), CaptureQueriesContext(connection) as queries:
        found = current_business()

    assert found is business
    assert len(queries) == 0


@pytest.mark.django_db
def test_under_schema_context_the_row_is_read_once_per_switch(business: Tenant) -> None:
    with schema_context(business.schema_name):
        with CaptureQueriesContext(connection) as first:
            assert current_business().pk == business.pk
        with CaptureQueriesContext(connection) as again:
            assert business_currency() == "KES"
            assert business_zone() == ZoneInfo("Africa/Nairobi")
        Tenant.objects.filter(pk=business.pk).update(currency="UGX")

    # The first read may also set the search path; the row itself is one query.
    assert len([q for q in first if "tenants_tenant" in q["sql"]]) == 1
    assert len(again) == 0
    with schema_context(business.schema_name):
        # A new switch reads the row again.
        assert business_currency() == "UGX"


@pytest.mark.django_db
def test_switching_business_never_answers_with_the_previous_one(
    make_tenant: Callable[..., Tenant],
) -> None:
    nairobi = make_tenant(currency="KES", time_zone="Africa/Nairobi")
    kolkata = make_tenant(country="IN", currency="INR", time_zone="Asia/Kolkata")

    with schema_context(nairobi.schema_name):
        assert business_currency() == "KES"
        with schema_context(kolkata.schema_name):
            assert business_currency() == "INR"
        assert business_currency() == "KES"


@pytest.mark.django_db
def test_days_are_the_business_days(make_tenant: Callable[..., Tenant]) -> None:
    # Kiritimati is UTC+14: its date differs from UTC's for 14 hours of every day.
    far_east = make_tenant(country="KI", currency="AUD", time_zone="Pacific/Kiritimati")
    zone = ZoneInfo("Pacific/Kiritimati")
    late_evening_utc = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)

    with schema_context(far_east.schema_name):
        before = datetime.now(zone).date()
        today = business_today()
        after = datetime.now(zone).date()
        assert today in (before, after)
        assert local_date(late_evening_utc) == date(2026, 3, 2)
        assert start_of_day(date(2026, 3, 2)) == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
