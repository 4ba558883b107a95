"""Paybill payments customers make on their own (C2B), and refunds."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from moneyed import Money

from devtools.payments_sandbox import Sandbox
from saas_platform.errors import ValidationFailed
from shared_apps.tenants.models import Tenant
from tenant_apps.payments.gateways.mpesa import DarajaGateway
from tenant_apps.payments.handlers import register_c2b_matcher
from tenant_apps.payments.models import C2BPayment, Payment, PaymentRefund
from tenant_apps.payments.services.accounts import account_urls, credentials_of
from tenant_apps.payments.services.lifecycle import payment_create
from tenant_apps.payments.services.refunds import payment_refund
from tests.payments.app_support import (
    PURPOSE,
    callback_log,
    deliver,
    install_accounts,
    load,
    post_raw,
    recorder_registered,
)
from tests.support.urls import tenant_path

CaptureOnCommit = Callable[..., Any]
MATCHED_REFS: set[str] = set()


def _test_matcher(c2b: C2BPayment) -> bool:
    # a consumer (e.g. customer accounts) that knows the bill references it issued
    return c2b.bill_ref in MATCHED_REFS


register_c2b_matcher("test-accounts", _test_matcher)


@pytest.fixture
def c2b_paths(business: Tenant, sandbox: Sandbox) -> dict[str, str]:
    """Registers our C2B URLs with the (sandbox) Daraja, as an owner would."""
    account = install_accounts(business, sandbox)["mpesa"]
    with schema_context(business.schema_name):
        urls = account_urls(account)
        DarajaGateway().register_c2b_urls(
            credentials_of(account), urls["c2b_confirmation_url"], urls["c2b_validation_url"]
        )
    token = account.c2b_token
    return {
        "validation": tenant_path("payments:c2b-validation", token=token),
        "confirmation": tenant_path("payments:c2b-confirmation", token=token),
    }


def c2b_records(sandbox: Sandbox, trans_id: str) -> dict[str, dict[str, Any]]:
    return {
        r["kind"].removeprefix("c2b_"): r
        for r in sandbox.callbacks("mpesa")
        if r["kind"].startswith("c2b_") and trans_id in r["body"]
    }


def test_a_confirmation_is_stored_once_and_matched(
    business: Tenant, sandbox: Sandbox, c2b_paths: dict[str, str],
    tenant_client: Callable[[Tenant], Client],
) -> None:  # fmt: skip
    MATCHED_REFS.add("ACC-77")
    sent = sandbox.simulate_c2b(amount=Decimal("450"), bill_ref="ACC-77", first_name="Amina")
    records = c2b_records(sandbox, sent["TransID"])
    client = tenant_client(business)

    validation = deliver(client, records["validation"])
    first = deliver(client, records["confirmation"])
    again = deliver(client, records["confirmation"])

    assert validation.json() == {"ResultCode": "0", "ResultDesc": "Accepted"}
    assert first.status_code == again.status_code == 200
    assert first.json() == {"ResultCode": 0, "ResultDesc": "Success"}
    with schema_context(business.schema_name):
        stored = C2BPayment.objects.get()
        assert (stored.trans_id, stored.status, stored.matched_by) == (
            sent["TransID"], "matched", "test-accounts"
        )  # fmt: skip
        assert stored.amount == Money(450, "KES")
        assert stored.payer_name == "Amina Doe"
    assert callback_log(business) == [("c2b", "accepted"), ("c2b", "duplicate")]


def test_an_unknown_reference_stays_unmatched_for_a_person(
    business: Tenant, sandbox: Sandbox, c2b_paths: dict[str, str],
    tenant_client: Callable[[Tenant], Client], jwt_client: Callable[[Tenant, str], Client],
) -> None:  # fmt: skip
    sent = sandbox.simulate_c2b(amount=Decimal("120"), bill_ref="nobody-knows")
    deliver(tenant_client(business), c2b_records(sandbox, sent["TransID"])["confirmation"])

    listed = jwt_client(business, business.owner_email).get(
        tenant_path("payments:c2b-list") + "?status=unmatched"
    )

    assert listed.status_code == 200
    assert [(r["trans_id"], r["status"], r["amount"]) for r in listed.json()["results"]] == [
        (sent["TransID"], "unmatched", {"amount": "120.00", "currency": "KES"})
    ]


@pytest.mark.parametrize("body", [b"junk", b"{}", b'{"TransID": "X1", "TransAmount": "abc"}',
                                  b'{"TransID": "X1\\u0000", "TransAmount": "1", '
                                  b'"BusinessShortCode": "174379"}'])  # fmt: skip
def test_a_junk_confirmation_is_400_and_stores_nothing(
    business: Tenant, c2b_paths: dict[str, str], tenant_client: Callable[[Tenant], Client],
    body: bytes,
) -> None:  # fmt: skip
    response = post_raw(tenant_client(business), c2b_paths["confirmation"], body, {})

    assert response.status_code == 400
    with schema_context(business.schema_name):
        assert C2BPayment.objects.count() == 0


def test_a_wrong_c2b_token_is_404(
    business: Tenant, sandbox: Sandbox, c2b_paths: dict[str, str],
    tenant_client: Callable[[Tenant], Client],
) -> None:  # fmt: skip
    sent = sandbox.simulate_c2b(amount=Decimal("120"), bill_ref="x")
    record = c2b_records(sandbox, sent["TransID"])["confirmation"]
    client = tenant_client(business)

    for path in (
        tenant_path("payments:c2b-confirmation", token="guess"),
        tenant_path("payments:c2b-validation", token="guess"),
    ):
        assert deliver(client, record, path).status_code == 404
    with schema_context(business.schema_name):
        assert C2BPayment.objects.count() == 0


# --- refunds ------------------------------------------------------------------------------------


def paid_mpesa(
    tenant: Tenant, sandbox: Sandbox, client: Client, capture: CaptureOnCommit, amount: str
) -> Payment:
    recorder_registered()
    with schema_context(tenant.schema_name), capture(execute=True):
        payment = payment_create(provider="mpesa", amount=Money(Decimal(amount), "KES"),
                                 payer="0712345670", purpose=PURPOSE,
                                 purpose_ref="F-1")  # fmt: skip
    payment = load(tenant, payment)
    record = next(r for r in sandbox.callbacks("mpesa") if payment.provider_reference in r["body"])
    assert deliver(client, record).status_code == 200
    return load(tenant, payment)


def test_an_mpesa_reversal_completes_when_its_result_arrives(
    business: Tenant, sandbox: Sandbox, tenant_client: Callable[[Tenant], Client],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    install_accounts(business, sandbox)
    client = tenant_client(business)
    payment = paid_mpesa(business, sandbox, client, django_capture_on_commit_callbacks, "300")
    assert payment.status == "succeeded"

    with schema_context(business.schema_name):
        with django_capture_on_commit_callbacks(execute=True):
            refund = payment_refund(payment_id=payment.pk, amount=Money(300, "KES"),
                                    reference="RET-9", actor=None)  # fmt: skip
        refund = PaymentRefund.objects.get(pk=refund.pk)
    assert refund.status == "pending"  # M-Pesa answers later
    assert load(business, payment).refunded_amount == Money(300, "KES")  # reserved meanwhile
    result = next(r for r in sandbox.callbacks("mpesa") if r["kind"] == "reversal_result")
    # The address the provider is given: its public path, spelled out.
    assert f"/api/v1/payments/refund-callbacks/{refund.callback_token}/" in result["url"]

    response = deliver(client, result)

    assert response.status_code == 200
    with schema_context(business.schema_name):
        refund.refresh_from_db()
        assert refund.status == "succeeded"
        # asking again with the same reference gives the same refund, not a second one
        again = payment_refund(payment_id=payment.pk, amount=Money(300, "KES"),
                               reference="RET-9", actor=None)  # fmt: skip
        assert again.pk == refund.pk and PaymentRefund.objects.count() == 1


def test_a_refused_reversal_gives_the_reserved_amount_back(
    business: Tenant, sandbox: Sandbox, tenant_client: Callable[[Tenant], Client],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    install_accounts(business, sandbox)
    client = tenant_client(business)
    payment = paid_mpesa(business, sandbox, client, django_capture_on_commit_callbacks, "80")
    with schema_context(business.schema_name):
        Payment.objects.filter(pk=payment.pk).update(receipt="UNKNOWNRCPT")
        with django_capture_on_commit_callbacks(execute=True):
            refund = payment_refund(payment_id=payment.pk, amount=Money(80, "KES"),
                                    reference="RET-10", actor=None)  # fmt: skip
    result = next(r for r in sandbox.callbacks("mpesa") if r["kind"] == "reversal_result")

    assert deliver(client, result).status_code == 200

    with schema_context(business.schema_name):
        refund.refresh_from_db()
        assert (refund.status, refund.result_code) == ("failed", "R000002")
    assert load(business, payment).refunded_amount == Money(0, "KES")


def test_refunds_never_exceed_what_was_paid(
    business: Tenant, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    with schema_context(business.schema_name):
        with django_capture_on_commit_callbacks(execute=True):
            payment = payment_create(provider="cash", amount=Money(100, "KES"), payer="",
                                     purpose=PURPOSE, purpose_ref="F-2")  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            payment_refund(payment_id=payment.pk, amount=Money(70, "KES"), reference="A",
                           actor=None)  # fmt: skip
        with pytest.raises(ValidationFailed) as caught:
            payment_refund(payment_id=payment.pk, amount=Money(31, "KES"), reference="B",
                           actor=None)  # fmt: skip
        assert "30" in caught.value.message
        assert PaymentRefund.objects.count() == 1
        assert Payment.objects.get(pk=payment.pk).refunded_amount == Money(70, "KES")
