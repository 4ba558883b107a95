"""Paybill payments that name a customer's code as the account: paid into their account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenant_apps.customers.selectors import customer_by_code
from tenant_apps.customers.services import customer_payment_receive

if TYPE_CHECKING:
    from tenant_apps.payments.models import C2BPayment

MATCHER_NAME = "customers.account"


def match_account_payment(payment: C2BPayment) -> bool:
    """Consumes a C2B payment whose account reference is a customer code (any case)."""
    customer = customer_by_code(payment.bill_ref or "")
    if customer is None:
        return False
    customer_payment_receive(
        customer_id=customer.pk,
        amount=payment.amount,
        method="mpesa",
        reference=payment.trans_id,
        key=f"c2b:{payment.trans_id}",
    )
    return True


def register() -> None:
    try:
        from tenant_apps.payments.handlers import register_c2b_matcher
    except ImportError:  # the payments app predates C2B matching: nothing to register with
        return
    register_c2b_matcher(MATCHER_NAME, match_account_payment)
