"""The demo business's sales: made by real checkouts in closed shifts, numbered, booked, and in
balance."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from saas_platform.tenancy import business_today
from shared_apps.tenants.models import Tenant
from tenant_apps.inventory.selectors import stock_drift
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.ledger.selectors import trial_balance
from tenant_apps.sales.demo import DEMO_OTHER_SALES, DEMO_SALES
from tenant_apps.sales.models import Register, Sale, Shift

pytestmark = pytest.mark.django_db


def test_demo_sales_are_real_checkouts_in_closed_shifts() -> None:
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent

    with tenant_context(Tenant.objects.get(slug="demo")):
        till = Register.objects.get(code="TILL2")
        sold = Sale.objects.filter(register=till).values_list("receipt_number", flat=True)
        numbers = sorted(number or 0 for number in sold)
        assert numbers == list(range(1, DEMO_SALES + 1))
        shift = Shift.objects.get(register=till)
        assert shift.status == "closed"
        assert shift.variance is not None and shift.variance.amount == Decimal("-50")
        others = Sale.objects.filter(register__code="TILL1")
        assert others.count() == sum(DEMO_OTHER_SALES)
        assert Shift.objects.filter(status="closed").count() == 1 + len(DEMO_OTHER_SALES)
        assert JournalEntry.objects.filter(source="sale").count() == DEMO_SALES + others.count()
        balance = trial_balance(as_of=business_today())
        assert balance.total_debit == balance.total_credit
        assert stock_drift() == []
        assert Register.objects.filter(code="TILL1").exists()
