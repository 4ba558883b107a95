"""Races and isolation, with real commits: duplicate callbacks at the same moment settle once,
two refunds at once never exceed what was paid, and a token works only on its own business's
host."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from moneyed import Money

from devtools.payments_sandbox import Sandbox
from saas_platform.errors import DukaError
from shared_apps.tenants.models import Tenant
from tenant_apps.payments.models import Payment, PaymentRefund
from tenant_apps.payments.services.lifecycle import payment_create
from tenant_apps.payments.services.refunds import payment_refund
from tests.payments.app_support import (
    PURPOSE,
    Recorder,
    callback_log,
    deliver,
    install_accounts,
    load,
)
from tests.support.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def sent_payment(tenant: Tenant, provider: str, payer: str, amount: str = "150") -> Payment:
    with schema_context(tenant.schema_name):
        # committed for real here, so on_commit sends it
        payment = payment_create(provider=provider, amount=Money(Decimal(amount), tenant.currency),
                                 payer=payer, purpose=PURPOSE, purpose_ref="R-1")  # fmt: skip
    return load(tenant, payment)


def test_duplicate_callbacks_at_the_same_moment_settle_once(
    business: Tenant, sandbox: Sandbox, recorder: Recorder,
    tenant_client: Callable[[Tenant], Client],
) -> None:  # fmt: skip
    install_accounts(business, sandbox)
    payment = sent_payment(business, "mpesa", "0712345670")
    record = sandbox.callbacks("mpesa")[0]

    responses = at_once(*[lambda: deliver(tenant_client(business), record) for _ in range(4)])

    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert load(business, payment).status == "succeeded"
    assert recorder.of(payment) == ["succeeded"]
    assert sorted(callback_log(business)) == [("stk", "accepted")] + [("stk", "duplicate")] * 3


def test_two_refunds_at_once_never_exceed_what_was_paid(
    business: Tenant, sandbox: Sandbox, recorder: Recorder
) -> None:
    payment = sent_payment(business, "cash", "", amount="100")
    assert payment.status == "succeeded"
    half_and_more = Money(Decimal(60), business.currency)

    def refund(reference: str) -> Callable[[], PaymentRefund]:
        def run() -> PaymentRefund:
            with schema_context(business.schema_name):
                return payment_refund(payment_id=payment.pk, amount=half_and_more,
                                      reference=reference, actor=None)  # fmt: skip

        return run

    results = at_once(refund("RET-1"), refund("RET-2"))

    refunds = [r for r in results if isinstance(r, PaymentRefund)]
    refused = [r for r in results if isinstance(r, DukaError)]
    assert len(refunds) == 1 and len(refused) == 1, results
    assert refused[0].fields["amount"][0]["code"] == "exceeds_refundable"
    assert refunds[0].status == "succeeded"
    assert load(business, payment).refunded_amount == Money(60, business.currency)
    with schema_context(business.schema_name):
        assert PaymentRefund.objects.count() == 1


def test_another_business_cannot_use_a_callback_token(
    make_tenant: Callable[..., Tenant], sandbox: Sandbox, recorder: Recorder,
    tenant_client: Callable[[Tenant], Client],
) -> None:  # fmt: skip
    victim, attacker = make_tenant(), make_tenant()
    install_accounts(victim, sandbox)
    install_accounts(attacker, sandbox)
    payment = sent_payment(victim, "mpesa", "0712345670")
    record = sandbox.callbacks("mpesa")[0]  # the victim's genuine success, URL and all

    # posted on the attacker's own host, where the attacker is allowed to be
    response = deliver(tenant_client(attacker), record)

    assert response.status_code == 404
    assert load(victim, payment).status == "pending"
    assert recorder.calls == []
    assert callback_log(victim) == []
    with schema_context(attacker.schema_name):
        assert Payment.objects.count() == 0
