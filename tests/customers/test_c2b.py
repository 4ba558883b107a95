"""A paybill payment naming a customer's code as the account number pays that account."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

from django_tenants.utils import tenant_context

from saas_platform.money import money
from shared_apps.tenants.models import Tenant
from tenant_apps.customers.c2b import MATCHER_NAME
from tenant_apps.customers.models import CreditEntry, Customer
from tenant_apps.customers.services import credit_charge
from tenant_apps.ledger.models import JournalEntry
from tenant_apps.payments.handlers import c2b_matchers
from tenant_apps.payments.models import C2BPayment
from tenant_apps.payments.services.accounts import provider_account_set
from tenant_apps.payments.services.c2b import c2b_confirmation_handle
from tests.customers.conftest import balance


def _confirmation(trans_id: str, amount: str, bill_ref: str) -> bytes:
    """Daraja's C2B confirmation body, as it posts it to the registered URL."""
    return json.dumps(
        {
            "TransactionType": "Pay Bill",
            "TransID": trans_id,
            "TransTime": "20261121101500",
            "TransAmount": amount,
            "BusinessShortCode": "600984",
            "BillRefNumber": bill_ref,
            "InvoiceNumber": "",
            "OrgAccountBalance": "49197.00",
            "ThirdPartyTransID": "",
            "MSISDN": "254708374149",
            "FirstName": "John",
            "MiddleName": "",
            "LastName": "Doe",
        }
    ).encode()


def test_the_matcher_is_registered() -> None:
    assert MATCHER_NAME in dict(c2b_matchers())


def test_a_paybill_payment_to_a_customer_code_pays_their_account_once(
    shop: Tenant, make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer(name="Juma", limit="5000")
    with tenant_context(shop):
        credit_charge(customer_id=customer.pk, amount=money("2000"), reference="S-1")
        token = provider_account_set(
            provider="mpesa", base_url="https://api.safaricom.co.ke", credentials={}, is_active=True
        ).c2b_token
        body = _confirmation("SKL7QX1ABC", "1500.00", f"  {customer.code.lower()} ")

        c2b = c2b_confirmation_handle(token=token, body=body)
        c2b_confirmation_handle(token=token, body=body)  # Daraja retries: nothing new

        c2b.refresh_from_db()
        assert (c2b.status, c2b.matched_by) == ("matched", MATCHER_NAME)
        assert balance(customer) == Decimal("500")
        entry = CreditEntry.objects.get(kind="payment")
        assert (entry.key, entry.reference) == ("c2b:SKL7QX1ABC", "SKL7QX1ABC")
        posted = JournalEntry.objects.get(source="customer_payment")
        assert {line.account.role for line in posted.lines.all()} == {
            "mpesa_clearing",
            "accounts_receivable",
        }


def test_an_unknown_account_number_is_left_for_someone_else(
    shop: Tenant, make_customer: Callable[..., Customer]
) -> None:
    customer = make_customer(name="Juma", limit="5000")
    with tenant_context(shop):
        token = provider_account_set(
            provider="mpesa", base_url="https://api.safaricom.co.ke", credentials={}, is_active=True
        ).c2b_token
        c2b_confirmation_handle(token=token, body=_confirmation("SKL7QX2ABC", "100", "C99999"))
        assert C2BPayment.objects.get().matched_by != MATCHER_NAME
        assert balance(customer) == 0
        assert not CreditEntry.objects.exists()
