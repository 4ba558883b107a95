"""The beancount export loads cleanly in beancount and agrees with our trial balance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from beancount import loader
from beancount.core import data
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenants.models import Tenant
from tenant_apps.ledger.beancount_export import account_names
from tenant_apps.ledger.models import Account
from tenant_apps.ledger.selectors import trial_balance
from tenant_apps.ledger.services import account_create
from tests.ledger.conftest import Books, trade_june
from tests.support.urls import tenant_path


def test_the_export_round_trips_through_beancount(
    books: Books, jwt_client: Callable[[Tenant, str], Client]
) -> None:
    # given a month of trading and an account whose name beancount could not take as it is
    trade_june(books)
    with tenant_context(books.tenant):
        account_create(code="6.910", name='Bank charges "misc" & fees', type="expense")
    client = jwt_client(books.tenant, books.tenant.owner_email)

    response = client.get(tenant_path("ledger:beancount-export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    entries, errors, options = loader.load_string(response.content.decode())
    assert errors == []
    assert options["operating_currency"] == ["KES"]
    balances: dict[str, Decimal] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                units = posting.units
                assert units is not None and units.number is not None
                assert units.currency == "KES"
                balances[posting.account] = balances.get(posting.account, Decimal(0)) + units.number
    with tenant_context(books.tenant):
        names = account_names(list(Account.objects.all()))
        ours = {
            names[row.account.pk]: row.debit - row.credit
            for row in trial_balance(as_of=date(2999, 12, 31)).rows
        }
    assert {name: amount for name, amount in balances.items() if amount} == ours
    assert "Assets:CashDrawer" in ours
    assert ours["Liabilities:AccountsPayable"] == Decimal(-7000)
    opened = {e.account for e in entries if isinstance(e, data.Open)}
    assert "Expenses:BankChargesMiscFees" in opened
