"""The demo customers: a dozen, some on credit, books and accounts agreeing, seeded once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.demo import seed_demo_catalog
from tenant_apps.customers.demo import seed_demo_customers
from tenant_apps.customers.models import CreditEntry, Customer
from tenant_apps.customers.selectors import overdue_list
from tenant_apps.ledger.models import JournalLine
from tenant_apps.ledger.selectors import trial_balance


def test_demo_customers_are_seeded_once_and_agree_with_the_books(business: Tenant) -> None:
    with tenant_context(business):
        seed_demo_catalog()
        seed_demo_customers()
        seed_demo_customers()  # customers exist: nothing more is added

        assert Customer.objects.count() == 12
        assert Customer.objects.filter(credit_limit__gt=0).count() >= 5
        assert Customer.objects.filter(price_list__code="wholesale").count() == 2
        assert CreditEntry.objects.filter(kind="payment").count() == 2
        owed = Customer.objects.aggregate(total=Sum("balance"))["total"]
        receivable = JournalLine.objects.filter(account__role="accounts_receivable").aggregate(
            d=Sum("debit"), c=Sum("credit")
        )
        assert owed == receivable["d"] - receivable["c"] == Decimal("64500")
        report = trial_balance(as_of=date(2999, 12, 31))
        assert report.total_debit == report.total_credit
        assert Customer.objects.filter(loyalty_points__gt=0).count() == 2
        assert len(overdue_list().customers) >= 3  # the overdue report has something to show
