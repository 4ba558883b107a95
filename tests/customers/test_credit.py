"""The credit account: limits, store credit, payments on account and their postings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django_tenants.utils import tenant_context
from moneyed import Money

from saas_platform.errors import Conflict, NotFound, ValidationFailed
from saas_platform.money import money
from saas_platform.tenancy import business_today
from shared_apps.tenants.models import Tenant
from tenant_apps.customers.models import CreditEntry, CreditKind, Customer
from tenant_apps.customers.services import (
    CreditLimitExceeded,
    credit_adjust,
    credit_charge,
    credit_release,
    customer_payment_receive,
    customer_update,
)
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.ledger.selectors import trial_balance
from tests.customers.conftest import balance, entry_count, journal_count

MakeCustomer = Callable[..., Customer]


def _lines(entry: JournalEntry) -> list[tuple[str | None, Decimal, Decimal]]:
    return [(x.account.role, x.debit.amount, x.credit.amount) for x in entry.lines.all()]


def test_a_credit_sale_raises_the_balance_and_falls_due_after_the_terms(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer(limit="5000", payment_terms_days=14)
    with tenant_context(shop):
        entry = credit_charge(customer_id=customer.pk, amount=money("1200.50"), reference="R-1")
        assert balance(customer) == Decimal("1200.50")
        assert entry.kind == CreditKind.CREDIT_SALE
        assert entry.amount == money("1200.50")
        assert entry.balance_after == money("1200.50")
        assert entry.due_on == business_today() + timedelta(days=14)
        # Posting the sale is the checkout's job: a charge alone books nothing.
        assert journal_count() == 0


def test_a_charge_over_the_limit_is_refused_and_changes_nothing(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer(limit="1000")
    with tenant_context(shop):
        credit_charge(customer_id=customer.pk, amount=money("700"), reference="R-1")
        with pytest.raises(CreditLimitExceeded) as refused:
            credit_charge(customer_id=customer.pk, amount=money("300.01"), reference="R-2")
        assert refused.value.status == 409
        assert refused.value.code == "credit_limit_exceeded"
        assert "KES 300.00 of credit available" in refused.value.message
        assert balance(customer) == Decimal("700")
        assert entry_count() == 1
        # exactly up to the limit is allowed
        credit_charge(customer_id=customer.pk, amount=money("300"), reference="R-3")
        assert balance(customer) == Decimal("1000")


def test_a_cash_only_customer_cannot_buy_on_credit(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer()
    with tenant_context(shop):
        with pytest.raises(CreditLimitExceeded):
            credit_charge(customer_id=customer.pk, amount=money("1"), reference="R-1")
        assert balance(customer) == 0
        assert entry_count() == 0


def test_refused_charges_bad_amounts_and_closed_accounts(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer(limit="1000")
    with tenant_context(shop):
        with pytest.raises(ValidationFailed) as zero:
            credit_charge(customer_id=customer.pk, amount=money("0"), reference="R")
        assert "amount" in zero.value.fields
        with pytest.raises(ValidationFailed) as foreign:
            credit_charge(customer_id=customer.pk, amount=Money(10, "USD"), reference="R")
        assert foreign.value.fields["amount"][0]["code"] == "wrong_currency"
        with pytest.raises(ValidationFailed):
            credit_charge(customer_id=customer.pk, amount=money(5), reference="R", kind="payment")
        with pytest.raises(NotFound):
            credit_charge(customer_id=customer.pk + 999, amount=money(5), reference="R")
        customer_update(customer_id=customer.pk, is_active=False)
        with pytest.raises(Conflict) as closed:
            credit_charge(customer_id=customer.pk, amount=money(5), reference="R")
        assert closed.value.code == "customer_inactive"
        assert balance(customer) == 0
        assert entry_count() == 0


def test_lowering_the_limit_below_the_balance_stops_new_charges_only(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer(limit="1000")
    with tenant_context(shop):
        credit_charge(customer_id=customer.pk, amount=money("800"), reference="R-1")
        customer_update(customer_id=customer.pk, credit_limit=money("500"), name="Renamed")
        assert balance(customer) == Decimal("800")  # an edit never writes the balance
        with pytest.raises(CreditLimitExceeded):
            credit_charge(customer_id=customer.pk, amount=money("1"), reference="R-2")


def test_a_charge_with_a_key_happens_once(shop: Tenant, make_customer: MakeCustomer) -> None:
    customer = make_customer(limit="1000")
    with tenant_context(shop):
        first = credit_charge(
            customer_id=customer.pk, amount=money("600"), reference="R-1", key="sale:1"
        )
        # a retry after the first used up the credit still gets the first charge back
        again = credit_charge(
            customer_id=customer.pk, amount=money("600"), reference="R-1", key="sale:1"
        )
        assert again.pk == first.pk
        assert balance(customer) == Decimal("600")
        assert entry_count() == 1


def test_store_credit_goes_negative_and_is_spent_like_credit(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer()  # cash only
    with tenant_context(shop):
        credit_release(
            customer_id=customer.pk, amount=money("500"), reference="RET-1", kind="store_credit"
        )
        assert balance(customer) == Decimal("-500")
        used = credit_charge(
            customer_id=customer.pk,
            amount=money("300"),
            reference="R-2",
            kind=CreditKind.STORE_CREDIT_USED,
        )
        assert used.due_on is None
        assert balance(customer) == Decimal("-200")
        # spending more store credit than is left would be credit this customer does not have
        with pytest.raises(CreditLimitExceeded):
            credit_charge(
                customer_id=customer.pk,
                amount=money("200.01"),
                reference="R-3",
                kind=CreditKind.STORE_CREDIT_USED,
            )
        assert balance(customer) == Decimal("-200")
        assert [e.balance_after.amount for e in CreditEntry.objects.order_by("pk")] == [
            Decimal("-500"),
            Decimal("-200"),
        ]


def test_a_returned_credit_sale_lowers_the_balance(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer(limit="1000")
    with tenant_context(shop):
        credit_charge(customer_id=customer.pk, amount=money("400"), reference="R-1")
        entry = credit_release(customer_id=customer.pk, amount=money("150"), reference="RET-1")
        assert entry.kind == CreditKind.RETURN
        assert entry.amount == money("-150")
        assert balance(customer) == Decimal("250")
        with pytest.raises(ValidationFailed):
            credit_release(customer_id=customer.pk, amount=money("1"), reference="X", kind="sale")
        assert balance(customer) == Decimal("250")


def test_a_payment_on_account_posts_cash_against_receivables(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer(limit="5000")
    with tenant_context(shop):
        credit_charge(customer_id=customer.pk, amount=money("2000"), reference="R-1")
        entry = customer_payment_receive(
            customer_id=customer.pk, amount=money("750"), method="cash", reference="slip 4"
        )
        assert entry.kind == CreditKind.PAYMENT
        assert entry.amount == money("-750")
        assert entry.balance_after == money("1250")
        assert balance(customer) == Decimal("1250")
        posted = JournalEntry.objects.get(source="customer_payment")
        assert posted.reference == str(entry.pk)
        assert posted.date == business_today()
        assert _lines(posted) == [
            ("cash_drawer", Decimal("750"), Decimal(0)),
            ("accounts_receivable", Decimal(0), Decimal("750")),
        ]
        report = trial_balance(as_of=date(2999, 12, 31))
        assert report.total_debit == report.total_credit == Decimal("750")


@pytest.mark.parametrize(
    ("method", "account"),
    [
        ("card", "card_clearing"),
        ("bank_transfer", "bank"),
        ("mpesa", "mpesa_clearing"),
        ("airtel", "airtel_clearing"),
    ],
)
def test_each_payment_method_lands_in_its_own_account(
    shop: Tenant, make_customer: MakeCustomer, method: str, account: str
) -> None:
    customer = make_customer(limit="5000")
    with tenant_context(shop):
        customer_payment_receive(customer_id=customer.pk, amount=money("10"), method=method)
        posted = JournalEntry.objects.get(source="customer_payment")
        assert _lines(posted)[0] == (account, Decimal("10"), Decimal(0))


def test_paying_more_than_owed_leaves_store_credit(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer(limit="1000")
    with tenant_context(shop):
        credit_charge(customer_id=customer.pk, amount=money("300"), reference="R-1")
        customer_payment_receive(customer_id=customer.pk, amount=money("500"), method="mpesa")
        assert balance(customer) == Decimal("-200")


def test_refused_payments_change_nothing(shop: Tenant, make_customer: MakeCustomer) -> None:
    customer = make_customer(limit="1000")
    with tenant_context(shop):
        credit_charge(customer_id=customer.pk, amount=money("300"), reference="R-1")
        for amount, method in [("0", "cash"), ("-5", "cash"), ("10", "cheque")]:
            with pytest.raises(ValidationFailed):
                customer_payment_receive(
                    customer_id=customer.pk, amount=money(amount), method=method
                )
        assert balance(customer) == Decimal("300")
        assert entry_count() == 1
        assert journal_count() == 0


def test_a_payment_key_records_and_posts_once(shop: Tenant, make_customer: MakeCustomer) -> None:
    customer = make_customer(limit="1000")
    with tenant_context(shop):
        first = customer_payment_receive(
            customer_id=customer.pk, amount=money("100"), method="cash", key="k-1"
        )
        again = customer_payment_receive(
            customer_id=customer.pk, amount=money("100"), method="cash", key="k-1"
        )
        assert again.pk == first.pk
        assert balance(customer) == Decimal("-100")
        assert JournalEntry.objects.filter(source="customer_payment").count() == 1


def test_a_key_cannot_be_replayed_for_another_customer(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    alice = make_customer(name="Alice")
    bob = make_customer(name="Bob")
    with tenant_context(shop):
        customer_payment_receive(customer_id=alice.pk, amount=money("100"), method="cash", key="k")
        with pytest.raises(Conflict) as reused:
            customer_payment_receive(
                customer_id=bob.pk, amount=money("100"), method="cash", key="k"
            )
        assert reused.value.code == "conflict"
        assert "key" in reused.value.fields
        assert balance(bob) == 0
        assert journal_count() == 1


def test_a_write_off_posts_to_other_expenses_and_needs_a_reason(
    shop: Tenant, make_customer: MakeCustomer
) -> None:
    customer = make_customer(limit="1000")
    with tenant_context(shop):
        credit_charge(customer_id=customer.pk, amount=money("300"), reference="R-1")
        with pytest.raises(ValidationFailed) as no_reason:
            credit_adjust(customer_id=customer.pk, amount=money("-300"), note="  ", actor=None)
        assert "note" in no_reason.value.fields
        with pytest.raises(ValidationFailed):
            credit_adjust(customer_id=customer.pk, amount=money("0"), note="x", actor=None)
        assert balance(customer) == Decimal("300")
        assert journal_count() == 0

        written_off = credit_adjust(
            customer_id=customer.pk, amount=money("-300"), note="Moved away", actor=None
        )
        assert written_off.kind == CreditKind.ADJUSTMENT
        assert balance(customer) == 0
        entry = JournalEntry.objects.get(source="credit_adjustment")
        assert _lines(entry) == [
            ("expense_other", Decimal("300"), Decimal(0)),
            ("accounts_receivable", Decimal(0), Decimal("300")),
        ]
        credit_adjust(customer_id=customer.pk, amount=money("45"), note="Missed slip", actor=None)
        upwards = JournalEntry.objects.filter(source="credit_adjustment").order_by("pk").last()
        assert upwards is not None
        assert _lines(upwards) == [
            ("accounts_receivable", Decimal("45"), Decimal(0)),
            ("expense_other", Decimal(0), Decimal("45")),
        ]
        assert balance(customer) == Decimal("45")


def test_entries_are_permanent_in_the_database(shop: Tenant, make_customer: MakeCustomer) -> None:
    customer = make_customer(limit="1000")
    with tenant_context(shop):
        credit_charge(customer_id=customer.pk, amount=money("300"), reference="R-1")
        for change in (
            lambda: CreditEntry.objects.update(reference="forged"),
            lambda: CreditEntry.objects.all().delete(),
        ):
            with pytest.raises(DatabaseError, match="permanent"), transaction.atomic():
                change()
        assert CreditEntry.objects.get().reference == "R-1"
