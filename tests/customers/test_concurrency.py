"""Tills charging and paying one customer at the same moment: the limit and the keys hold."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connections
from django_tenants.utils import tenant_context

from saas_platform.money import money
from shared_apps.tenants.models import Tenant
from tenant_apps.customers.models import CreditEntry, Customer
from tenant_apps.customers.services import (
    CreditLimitExceeded,
    credit_charge,
    customer_payment_receive,
)
from tenant_apps.ledger.models import JournalEntry

pytestmark = pytest.mark.django_db(transaction=True)


def _all_at_once(
    count: int, work: Callable[[int], str]
) -> tuple[Counter[str], list[BaseException]]:
    results: Counter[str] = Counter()
    failures: list[BaseException] = []
    barrier = threading.Barrier(count)
    lock = threading.Lock()

    def run(number: int) -> None:
        try:
            barrier.wait()
            outcome = work(number)
            with lock:
                results[outcome] += 1
        except BaseException as exc:  # surfaced below: a thread must not fail silently
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, failures


def test_two_tills_charging_at_once_cannot_pass_the_limit_together(
    shop: Tenant, make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer(limit="1000")

    def charge(number: int) -> str:
        with tenant_context(shop):
            try:
                credit_charge(customer_id=customer.pk, amount=money("600"), reference=f"R-{number}")
            except CreditLimitExceeded:
                return "refused"
            return "charged"

    results, failures = _all_at_once(2, charge)

    assert failures == []
    assert results == Counter({"charged": 1, "refused": 1})
    with tenant_context(shop):
        assert Customer.objects.get(pk=customer.pk).balance == money("600")
        assert CreditEntry.objects.count() == 1


def test_many_tills_fill_the_limit_exactly(
    shop: Tenant, make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer(limit="1000")

    def charge(number: int) -> str:
        with tenant_context(shop):
            try:
                credit_charge(customer_id=customer.pk, amount=money("300"), reference=f"R-{number}")
            except CreditLimitExceeded:
                return "refused"
            return "charged"

    results, failures = _all_at_once(6, charge)

    assert failures == []
    assert results == Counter({"charged": 3, "refused": 3})
    with tenant_context(shop):
        assert Customer.objects.get(pk=customer.pk).balance == money("900")
        # the running balances are a clean sequence: no two entries saw the same total
        assert sorted(e.balance_after.amount for e in CreditEntry.objects.all()) == [
            Decimal(300),
            Decimal(600),
            Decimal(900),
        ]


def test_the_same_payment_sent_four_times_at_once_is_recorded_and_posted_once(
    shop: Tenant, make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer(limit="1000")

    def pay(number: int) -> str:
        with tenant_context(shop):
            entry = customer_payment_receive(
                customer_id=customer.pk, amount=money("250"), method="mpesa", key="c2b:QK1"
            )
            return str(entry.pk)

    results, failures = _all_at_once(4, pay)

    assert failures == []
    assert len(results) == 1  # every request got the same entry back
    with tenant_context(shop):
        assert Customer.objects.get(pk=customer.pk).balance == money("-250")
        assert CreditEntry.objects.count() == 1
        assert JournalEntry.objects.filter(source="customer_payment").count() == 1
