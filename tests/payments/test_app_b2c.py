"""Partial M-Pesa refunds: a B2C payment of the part to the payer's phone; the whole of an
untouched payment still goes back by reversal."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from moneyed import Money

from devtools.payments_sandbox import Sandbox
from saas_platform.errors import DukaError, ValidationFailed
from shared_apps.tenants.models import Tenant
from tenant_apps.payments.models import Payment, PaymentRefund
from tenant_apps.payments.services.accounts import provider_account_set
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
from tests.support.concurrency import at_once
from tests.support.urls import tenant_path

CaptureOnCommit = Callable[..., Any]
B2C = "/mpesa/b2c/v1/paymentrequest"
REVERSAL = "/mpesa/reversal/v1/request"
PAYER = "254712345670"
DARAJA_ACK = {"ResultCode": 0, "ResultDesc": "Accepted"}


@pytest.fixture
def client(business: Tenant, sandbox: Sandbox, tenant_client: Callable[[Tenant], Client]) -> Client:
    install_accounts(business, sandbox)
    return tenant_client(business)


@pytest.fixture
def paid(
    business: Tenant, sandbox: Sandbox, client: Client,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> Payment:  # fmt: skip
    """A 300 KES M-Pesa payment that succeeded."""
    recorder_registered()
    with schema_context(business.schema_name), django_capture_on_commit_callbacks(execute=True):
        payment = payment_create(provider="mpesa", amount=Money(300, "KES"), payer="0712345670",
                                 purpose=PURPOSE, purpose_ref="S-1")  # fmt: skip
    payment = load(business, payment)
    [record] = sandbox.callbacks("mpesa", "stk")
    assert deliver(client, record).status_code == 200
    payment = load(business, payment)
    assert payment.status == "succeeded"
    return payment


def refund(
    tenant: Tenant, payment: Payment, amount: str, reference: str, capture: CaptureOnCommit
) -> PaymentRefund:
    with schema_context(tenant.schema_name):
        with capture(execute=True):
            made = payment_refund(payment_id=payment.pk, amount=Money(Decimal(amount), "KES"),
                                  reference=reference, actor=None)  # fmt: skip
        return PaymentRefund.objects.get(pk=made.pk)


def fresh(tenant: Tenant, made: PaymentRefund) -> PaymentRefund:
    with schema_context(tenant.schema_name):
        return PaymentRefund.objects.get(pk=made.pk)


def result_for(sandbox: Sandbox, made: PaymentRefund) -> dict[str, Any]:
    [record] = [
        r for r in sandbox.callbacks("mpesa")
        if r["kind"] in ("b2c_result", "reversal_result") and made.callback_token in r["url"]
    ]  # fmt: skip
    return record


def refunded(tenant: Tenant, payment: Payment) -> Decimal:
    return Decimal(load(tenant, payment).refunded_amount.amount)


def test_a_partial_refund_goes_to_the_payers_phone_as_b2c(
    business: Tenant, sandbox: Sandbox, client: Client, paid: Payment,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    made = refund(business, paid, "100", "RET-1", django_capture_on_commit_callbacks)

    assert (made.method, made.status, made.amount) == ("b2c", "pending", Money(100, "KES"))
    assert refunded(business, paid) == Decimal(100)  # reserved while M-Pesa works
    assert sandbox.requests(REVERSAL) == []
    [request] = sandbox.requests(B2C)
    sent = json.loads(request["body"])
    assert (sent["PartyB"], sent["Amount"], sent["PartyA"]) == (PAYER, 100, "600996")
    assert sent["CommandID"] == "BusinessPayment" and sent["InitiatorName"] == "testapi"
    assert sandbox.decrypt_credential(sent["SecurityCredential"]) == "Safaricom999!*!"
    # The address the provider is given: its public path, spelled out.
    assert sent["ResultURL"].endswith(f"/api/v1/payments/refund-callbacks/{made.callback_token}/")
    result = result_for(sandbox, made)
    assert json.loads(result["body"])["Result"]["ConversationID"] == made.provider_reference

    answer = deliver(client, result)

    assert (answer.status_code, answer.json()) == (200, DARAJA_ACK)
    done = fresh(business, made)
    assert (done.status, done.result_code) == ("succeeded", "0")
    assert done.receipt.startswith("SBC") and done.settled_at is not None
    assert refunded(business, paid) == Decimal(100)
    assert sandbox.b2c_balance == Decimal(1_000_000 - 100)


def test_a_duplicate_result_changes_nothing(
    business: Tenant, sandbox: Sandbox, client: Client, paid: Payment,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    made = refund(business, paid, "100", "RET-1", django_capture_on_commit_callbacks)
    result = result_for(sandbox, made)
    assert deliver(client, result).status_code == 200
    settled = fresh(business, made)

    again = deliver(client, result)

    assert (again.status_code, again.json()) == (200, DARAJA_ACK)
    after = fresh(business, made)
    assert (after.status, after.receipt, after.settled_at) == (
        "succeeded", settled.receipt, settled.settled_at
    )  # fmt: skip
    assert refunded(business, paid) == Decimal(100)
    assert callback_log(business)[-2:] == [
        ("refund_result", "accepted"),
        ("refund_result", "duplicate"),
    ]


def test_a_result_for_another_request_is_rejected(
    business: Tenant, sandbox: Sandbox, client: Client, paid: Payment,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    made = refund(business, paid, "100", "RET-1", django_capture_on_commit_callbacks)
    record = result_for(sandbox, made)
    body = json.loads(record["body"])
    body["Result"]["ConversationID"] = "AG_20260101_someoneelse"

    answer = post_raw(client, tenant_path("payments:refund-callback", token=made.callback_token),
                      json.dumps(body), {})  # fmt: skip

    assert answer.status_code == 400
    assert fresh(business, made).status == "pending"
    assert refunded(business, paid) == Decimal(100)
    assert callback_log(business)[-1] == ("refund_result", "rejected")


def test_a_full_refund_of_an_untouched_payment_is_still_a_reversal(
    business: Tenant, sandbox: Sandbox, client: Client, paid: Payment,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    made = refund(business, paid, "300", "RET-ALL", django_capture_on_commit_callbacks)

    assert made.method == "reversal"
    assert sandbox.requests(B2C) == []
    [request] = sandbox.requests(REVERSAL)
    assert json.loads(request["body"])["TransactionID"] == paid.receipt
    assert deliver(client, result_for(sandbox, made)).status_code == 200
    done = fresh(business, made)
    assert (done.status, done.receipt[:3]) == ("succeeded", "SBR")
    assert refunded(business, paid) == Decimal(300)


def test_a_failed_b2c_gives_the_amount_back_to_be_refunded_again(
    business: Tenant, sandbox: Sandbox, client: Client, paid: Payment,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    sandbox.set_b2c_balance(Decimal(50))
    made = refund(business, paid, "100", "RET-1", django_capture_on_commit_callbacks)
    result = result_for(sandbox, made)

    assert deliver(client, result).status_code == 200
    # Safaricom repeating the failure must not give the amount back twice.
    assert deliver(client, result).status_code == 200

    failed = fresh(business, made)
    assert (failed.status, failed.result_code, failed.receipt) == ("failed", "1", "")
    assert refunded(business, paid) == Decimal(0)

    sandbox.set_b2c_balance(Decimal(1000))
    retry = refund(business, paid, "100", "RET-1b", django_capture_on_commit_callbacks)
    assert retry.method == "b2c"
    assert deliver(client, result_for(sandbox, retry)).status_code == 200
    assert fresh(business, retry).status == "succeeded"
    assert refunded(business, paid) == Decimal(100)
    assert sandbox.b2c_balance == Decimal(900)


def test_partial_refunds_up_to_the_total_succeed_and_one_more_is_refused(
    business: Tenant, sandbox: Sandbox, client: Client, paid: Payment,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    first = refund(business, paid, "200", "RET-1", django_capture_on_commit_callbacks)
    # What is left equals this amount, but part was already given back: no reversal now.
    second = refund(business, paid, "100", "RET-2", django_capture_on_commit_callbacks)
    for made in (first, second):
        assert deliver(client, result_for(sandbox, made)).status_code == 200

    with schema_context(business.schema_name), pytest.raises(ValidationFailed) as caught:
        payment_refund(payment_id=paid.pk, amount=Money(1, "KES"), reference="RET-3", actor=None)

    assert caught.value.fields["amount"][0]["code"] == "exceeds_refundable"
    assert [fresh(business, m).status for m in (first, second)] == ["succeeded", "succeeded"]
    assert (first.method, second.method) == ("b2c", "b2c")
    assert [json.loads(r["body"])["Amount"] for r in sandbox.requests(B2C)] == [200, 100]
    assert sandbox.requests(REVERSAL) == []
    assert refunded(business, paid) == Decimal(300)
    with schema_context(business.schema_name):
        assert PaymentRefund.objects.count() == 2


def test_without_a_b2c_shortcode_a_partial_refund_is_refused_and_changes_nothing(
    business: Tenant, sandbox: Sandbox, client: Client, paid: Payment,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    with schema_context(business.schema_name):
        provider_account_set(provider="mpesa", base_url=sandbox.url,
                             credentials={"b2c_shortcode": ""}, is_active=True)  # fmt: skip
        with pytest.raises(ValidationFailed) as caught:
            payment_refund(payment_id=paid.pk, amount=Money(100, "KES"), reference="RET-1",
                           actor=None)  # fmt: skip
        assert PaymentRefund.objects.count() == 0

    assert caught.value.fields["amount"][0]["code"] == "partial_refund_unavailable"
    assert refunded(business, paid) == Decimal(0)
    assert sandbox.requests(B2C) == [] and sandbox.requests(REVERSAL) == []
    # the whole payment can still go back
    assert refund(business, paid, "300", "RET-2", django_capture_on_commit_callbacks).method == (
        "reversal"
    )


def test_the_payment_shows_how_each_refund_went(
    business: Tenant, sandbox: Sandbox, client: Client, paid: Payment,
    jwt_client: Callable[[Tenant, str], Client],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    made = refund(business, paid, "100", "RET-1", django_capture_on_commit_callbacks)
    deliver(client, result_for(sandbox, made))

    payment_detail_path = tenant_path("payments:payment-detail", public_id=paid.public_id)
    shown = jwt_client(business, business.owner_email).get(payment_detail_path)

    assert shown.status_code == 200
    [entry] = shown.json()["refunds"]
    assert (entry["reference"], entry["method"], entry["status"]) == ("RET-1", "b2c", "succeeded")
    assert entry["receipt"] == fresh(business, made).receipt
    assert shown.json()["refunded_amount"] == {"amount": "100.00", "currency": "KES"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("amounts", [("300", "100"), ("200", "200")])
def test_refunds_at_once_never_exceed_the_payment(
    business: Tenant, sandbox: Sandbox, client: Client, paid: Payment, amounts: tuple[str, str]
) -> None:
    def refund_of(amount: str, reference: str) -> Callable[[], PaymentRefund]:
        def run() -> PaymentRefund:
            with schema_context(business.schema_name):
                return payment_refund(payment_id=paid.pk, amount=Money(Decimal(amount), "KES"),
                                      reference=reference, actor=None)  # fmt: skip

        return run

    results = at_once(refund_of(amounts[0], "RET-1"), refund_of(amounts[1], "RET-2"))

    made = [r for r in results if isinstance(r, PaymentRefund)]
    refused = [r for r in results if isinstance(r, DukaError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert refused[0].fields["amount"][0]["code"] == "exceeds_refundable"
    [winner] = made
    whole = winner.amount == Money(300, "KES")
    assert fresh(business, winner).method == ("reversal" if whole else "b2c")
    assert len(sandbox.requests(REVERSAL if whole else B2C)) == 1
    assert sandbox.requests(B2C if whole else REVERSAL) == []
    assert refunded(business, paid) == winner.amount.amount
    with schema_context(business.schema_name):
        assert PaymentRefund.objects.count() == 1


def test_a_refund_moves_the_payment_on_for_a_sync(
    business: Tenant, sandbox: Sandbox, client: Client, paid: Payment,
    jwt_client: Callable[[Tenant, str], Client],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    owner = jwt_client(business, business.owner_email)
    payments = tenant_path("payments:payment-list")
    with schema_context(business.schema_name):
        since = Payment.objects.get(pk=paid.pk).updated_at.isoformat()
    before = owner.get(payments, {"updated_since": since}).json()["count"]

    refund(business, paid, "100", "RET-1", django_capture_on_commit_callbacks)

    with schema_context(business.schema_name):
        after = Payment.objects.get(pk=paid.pk).updated_at
    assert after.isoformat() > since
    changed = owner.get(payments, {"updated_since": after.isoformat()}).json()
    assert before == 1
    assert [row["id"] for row in changed["results"]] == [str(paid.public_id)]
