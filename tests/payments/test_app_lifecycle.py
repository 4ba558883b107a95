"""A payment's life: created inside the caller's transaction, sent after commit, settled once by
a callback, a status query or a person — against the provider sandbox over real HTTP."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from django_tenants.utils import schema_context
from moneyed import Money

from devtools.payments_sandbox import Sandbox
from saas_platform.errors import Conflict, ValidationFailed
from shared_apps.tenants.models import Tenant
from tenant_apps.payments.models import Payment, PaymentCallback, ProviderAccount
from tenant_apps.payments.services.lifecycle import (
    payment_create,
    payment_query,
    payment_resolve,
    payments_query_overdue,
)
from tests.payments.app_support import (
    PURPOSE,
    Recorder,
    callback_log,
    deliver,
    load,
    post_raw,
    stk_callback,
)
from tests.support.people import owner_of
from tests.support.urls import tenant_path

CaptureOnCommit = Callable[..., Any]


@pytest.fixture
def pay(
    shop: Tenant, django_capture_on_commit_callbacks: CaptureOnCommit
) -> Callable[..., Payment]:
    """Creates a payment as a checkout would, and lets its transaction commit (sending it)."""

    def make(payer: str = "0712345670", amount: str = "150", provider: str = "mpesa") -> Payment:
        with schema_context(shop.schema_name), django_capture_on_commit_callbacks(execute=True):
            payment = payment_create(
                provider=provider,
                amount=Money(Decimal(amount), shop.currency),
                payer=payer,
                purpose=PURPOSE,
                purpose_ref="T-1",
            )
        return load(shop, payment)

    return make


def stk_record(sandbox: Sandbox, payment: Payment) -> dict[str, Any]:
    records = [
        r
        for r in sandbox.callbacks("mpesa")
        if f'"CheckoutRequestID": "{payment.provider_reference}"' in r["body"]
        or payment.provider_reference in r["body"]
    ]
    assert len(records) == 1, records
    return records[0]


# --- create and send ----------------------------------------------------------------------------


def test_create_sends_the_push_after_commit_and_waits(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment]
) -> None:
    payment = pay(payer="+254 712 345 670")

    pushes = sandbox.requests("/mpesa/stkpush/v1/processrequest")
    assert len(pushes) == 1
    assert '"PhoneNumber": "254712345670"' in pushes[0]["body"].replace('":"', '": "')
    assert payment.status == "pending"
    assert payment.payer == "+254712345670"
    assert payment.provider_reference.startswith("ws_CO_") or payment.provider_reference
    assert payment.sent_at is not None and payment.deadline_at is not None
    assert len(payment.callback_token) >= 43
    # The address the provider is given: its public path, spelled out.
    assert f"/api/v1/payments/callbacks/{payment.callback_token}/" in pushes[0]["body"]
    assert recorder.of(payment) == []


def test_nothing_is_sent_when_the_callers_transaction_rolls_back(
    shop: Tenant, sandbox: Sandbox
) -> None:
    class Abort(Exception):
        pass

    with schema_context(shop.schema_name):
        with pytest.raises(Abort):
            from django.db import transaction

            with transaction.atomic():
                payment_create(provider="mpesa", amount=Money(10, "KES"), payer="0712345670",
                               purpose=PURPOSE, purpose_ref="T-2")  # fmt: skip
                raise Abort
        assert Payment.objects.count() == 0
    assert sandbox.requests("/mpesa/stkpush/v1/processrequest") == []


@pytest.mark.parametrize(
    ("payer", "code"),
    [("0812345678", "invalid_phone"), ("12345", "invalid_phone"), ("", "invalid_phone"),
     ("+256772123456", "invalid_phone"), ("020 2222222", "invalid_phone")],
)  # fmt: skip
def test_a_bad_mpesa_number_is_refused(shop: Tenant, payer: str, code: str) -> None:
    with schema_context(shop.schema_name):
        with pytest.raises(ValidationFailed) as caught:
            payment_create(provider="mpesa", amount=Money(10, "KES"), payer=payer,
                           purpose=PURPOSE, purpose_ref="T-3")  # fmt: skip
        assert caught.value.fields["payer"][0]["code"] == code
        assert Payment.objects.count() == 0


@pytest.mark.parametrize("payer", ["0712345678", "0112345678", "254712345678", "+254112345678",
                                   "712345678", "0712 345-678"])  # fmt: skip
def test_kenyan_numbers_are_normalised(shop: Tenant, payer: str) -> None:
    with schema_context(shop.schema_name):
        payment = payment_create(provider="mpesa", amount=Money(10, "KES"), payer=payer,
                                 purpose=PURPOSE, purpose_ref="T-4")  # fmt: skip
    assert payment.payer in ("+254712345678", "+254112345678")
    assert payment.payer[-8:] == "12345678"


def test_payers_stored_before_e164_get_their_plus(
    shop: Tenant, pay: Callable[..., Payment]
) -> None:
    migration = importlib.import_module("tenant_apps.payments.migrations.0003_payer_phone_e164")
    mpesa = pay(payer="0712345670")
    card = pay(payer="254700000000", provider="card")  # a card payer is kept as typed

    def payers() -> tuple[str, str]:
        return load(shop, mpesa).payer, load(shop, card).payer

    with schema_context(shop.schema_name):
        Payment.objects.filter(pk=mpesa.pk).update(payer="254712345670")  # as stored before
        with connection.cursor() as cursor:
            cursor.execute(migration.TO_E164)
        assert payers() == ("+254712345670", "254700000000")
        with connection.cursor() as cursor:
            cursor.execute(migration.TO_DIGITS)
        assert payers() == ("254712345670", "254700000000")


def test_an_unconfigured_or_inactive_provider_is_refused(shop: Tenant) -> None:
    with schema_context(shop.schema_name):
        ProviderAccount.objects.filter(provider="airtel").update(is_active=False)
        ProviderAccount.objects.filter(provider="card").delete()
        for provider in ("airtel", "card"):
            with pytest.raises(ValidationFailed) as caught:
                payment_create(provider=provider, amount=Money(10, "KES"), payer="0733123450",
                               purpose=PURPOSE, purpose_ref="T-5")  # fmt: skip
            assert caught.value.code == "provider_not_configured"
        assert Payment.objects.count() == 0


def test_a_request_the_provider_cannot_take_fails_the_payment(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment]
) -> None:
    with schema_context(shop.schema_name):
        account = ProviderAccount.objects.get(provider="mpesa")
        account.credentials = {**account.credentials, "transaction_type": "Bogus"}
        account.save()
    payment = pay()
    assert (payment.status, payment.result_code) == ("failed", "bad_credential")
    assert recorder.of(payment) == ["failed"]


def test_a_provider_error_that_may_pass_leaves_it_unknown_and_queried(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment]
) -> None:
    with schema_context(shop.schema_name):
        account = ProviderAccount.objects.get(provider="mpesa")
        account.credentials = {**account.credentials, "passkey": "wrong"}
        account.save()
    payment = pay()
    # Daraja answers a bad password with a 500: we cannot tell whether the push went out.
    assert payment.status == "unknown"
    assert payment.next_query_at is not None
    assert recorder.calls == []


# --- callbacks ----------------------------------------------------------------------------------


def test_a_success_callback_settles_once_and_tells_the_handler_once(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment],
    tenant_client: Callable[[Tenant], Client],
) -> None:  # fmt: skip
    payment = pay(payer="0712345670")
    record = stk_record(sandbox, payment)
    client = tenant_client(shop)

    first = deliver(client, record)
    again = deliver(client, record)

    assert first.status_code == 200
    assert first.json() == {"ResultCode": 0, "ResultDesc": "Accepted"}
    assert again.status_code == 200
    assert again.json() == {"ResultCode": 0, "ResultDesc": "Accepted"}
    settled = load(shop, payment)
    assert settled.status == "succeeded"
    assert settled.receipt.startswith("SBX")
    assert settled.settled_at is not None
    assert recorder.of(payment) == ["succeeded"]
    assert recorder.calls[0][2] == "succeeded"  # the handler sees the new status
    assert callback_log(shop) == [("stk", "accepted"), ("stk", "duplicate")]


@pytest.mark.parametrize(("last_digit", "code"), [(1, "1032"), (3, "1"), (6, "2001")])
def test_refusals_by_the_payer_fail_the_payment(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment],
    tenant_client: Callable[[Tenant], Client], last_digit: int, code: str,
) -> None:  # fmt: skip
    payment = pay(payer=f"071234567{last_digit}")
    response = deliver(tenant_client(shop), stk_record(sandbox, payment))

    assert response.status_code == 200
    failed = load(shop, payment)
    assert (failed.status, failed.result_code) == ("failed", code)
    assert recorder.of(payment) == ["failed"]


def test_callback_1037_leaves_it_unknown_and_a_query_then_settles_it(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment],
    tenant_client: Callable[[Tenant], Client],
) -> None:  # fmt: skip
    payment = pay(payer="0712345675")
    deliver(tenant_client(shop), stk_record(sandbox, payment))
    assert load(shop, payment).status == "unknown"
    assert recorder.of(payment) == []

    with schema_context(shop.schema_name):
        payment_query(payment_id=payment.pk)

    assert load(shop, payment).status == "succeeded"
    assert recorder.of(payment) == ["succeeded"]


def test_an_unknown_token_is_404_and_changes_nothing(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment],
    tenant_client: Callable[[Tenant], Client],
) -> None:  # fmt: skip
    payment = pay()
    record = stk_record(sandbox, payment)

    payment_callback_path = tenant_path("payments:payment-callback", token="not-a-token")
    response = deliver(tenant_client(shop), record, payment_callback_path)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert load(shop, payment).status == "pending"
    assert recorder.calls == []
    assert callback_log(shop) == [("stk", "rejected")]


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b"null", b'{"Body": 3}', b'{"Body": {"stkCallback": []}}',
     b'{"Body": {"stkCallback": {"CheckoutRequestID": "x"}}}', b"\xff\xfe\x00",
     b'{"Body": {"stkCallback": {"CheckoutRequestID": {"a": 1}, "ResultCode": 0}}}'],
)  # fmt: skip
def test_junk_bodies_are_400_and_change_nothing(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment],
    tenant_client: Callable[[Tenant], Client], body: bytes,
) -> None:  # fmt: skip
    payment = pay()
    path = tenant_path("payments:payment-callback", token=payment.callback_token)

    response = post_raw(tenant_client(shop), path, body, {})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "callback_rejected"
    assert load(shop, payment).status == "pending"
    assert recorder.calls == []
    assert callback_log(shop) == [("stk", "rejected")]


def test_a_callback_for_another_checkout_request_is_400_and_changes_nothing(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment],
    tenant_client: Callable[[Tenant], Client],
) -> None:  # fmt: skip
    mine, other = pay(payer="0712345674"), pay(payer="0712345680")
    # the other payment's genuine success, posted to my payment's URL
    forged = stk_record(sandbox, other)

    response = deliver(
        tenant_client(shop),
        forged,
        tenant_path("payments:payment-callback", token=mine.callback_token),
    )

    assert response.status_code == 400
    assert (load(shop, mine).status, load(shop, other).status) == ("pending", "pending")
    assert recorder.calls == []


def test_a_success_for_a_different_amount_is_left_to_a_person(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment],
    tenant_client: Callable[[Tenant], Client],
) -> None:  # fmt: skip
    payment = pay(payer="0712345674", amount="150")
    body = stk_callback(payment.provider_reference, 0, amount=Decimal(15), receipt="SBX1234567")

    response = post_raw(
        tenant_client(shop),
        tenant_path("payments:payment-callback", token=payment.callback_token),
        body,
        {},
    )

    assert response.status_code == 200
    assert load(shop, payment).status == "unknown"
    assert recorder.calls == []


def test_a_handler_failure_rolls_the_settlement_back(
    shop: Tenant, sandbox: Sandbox, pay: Callable[..., Payment],
    tenant_client: Callable[[Tenant], Client],
) -> None:  # fmt: skip
    from tenant_apps.payments.handlers import register_payment_handler

    class Broken:
        def succeeded(self, payment: Payment) -> None:
            raise RuntimeError("sale is gone")

        def failed(self, payment: Payment) -> None:
            raise RuntimeError("sale is gone")

    register_payment_handler(PURPOSE, Broken())
    payment = pay()

    response = deliver(tenant_client(shop), stk_record(sandbox, payment))

    assert response.status_code == 503
    still = load(shop, payment)
    assert (still.status, still.receipt, still.settled_at) == ("pending", "", None)
    assert callback_log(shop) == [("stk", "rejected")]


# --- missing callbacks: queries, the deadline, people ------------------------------------------


def test_no_callback_query_being_processed_then_success(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment]
) -> None:
    payment = pay(payer="0712345672")
    assert sandbox.callbacks("mpesa") == []

    with schema_context(shop.schema_name):
        payment_query(payment_id=payment.pk)
    waiting = load(shop, payment)
    assert (waiting.status, waiting.query_attempts) == ("pending", 1)
    assert waiting.next_query_at is not None and waiting.next_query_at > timezone.now()
    assert recorder.calls == []

    with schema_context(shop.schema_name):
        payment_query(payment_id=payment.pk)
    assert load(shop, payment).status == "succeeded"
    assert recorder.of(payment) == ["succeeded"]
    assert len(sandbox.requests("/mpesa/stkpushquery/v1/query")) == 2


def test_past_the_deadline_it_is_unknown_and_a_late_success_still_settles_it(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment],
    tenant_client: Callable[[Tenant], Client],
) -> None:  # fmt: skip
    with override_settings(PAYMENT_UNKNOWN_AFTER=0):
        payment = pay(payer="0712345674")
    with schema_context(shop.schema_name):
        payment_query(payment_id=payment.pk)
    unknown = load(shop, payment)
    assert unknown.status == "unknown"  # not failed: the customer may have paid
    assert unknown.next_query_at is not None  # still asked a few more times
    assert recorder.calls == []

    body = stk_callback(payment.provider_reference, 0, amount=Decimal(150), receipt="SBX7654321")
    response = post_raw(
        tenant_client(shop),
        tenant_path("payments:payment-callback", token=payment.callback_token),
        body,
        {},
    )

    assert response.status_code == 200
    late = load(shop, payment)
    assert (late.status, late.receipt) == ("succeeded", "SBX7654321")
    assert recorder.of(payment) == ["succeeded"]


def test_queries_stop_a_few_tries_after_the_deadline(
    shop: Tenant, sandbox: Sandbox, pay: Callable[..., Payment]
) -> None:
    with override_settings(PAYMENT_UNKNOWN_AFTER=0):
        payment = pay(payer="0712345674")
    with schema_context(shop.schema_name):
        for _ in range(2):
            payment_query(payment_id=payment.pk)
            assert load(shop, payment).next_query_at is not None
        payment_query(payment_id=payment.pk)
    given_up = load(shop, payment)
    assert (given_up.status, given_up.late_queries) == ("unknown", 3)
    assert given_up.next_query_at is None  # left to a person; the sweep skips it


def test_the_sweep_queries_overdue_payments_only(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment]
) -> None:
    due, later = pay(payer="0712345672"), pay(payer="0712345682")
    with schema_context(shop.schema_name):
        Payment.objects.filter(pk=due.pk).update(next_query_at=timezone.now() - timedelta(1))
        assert payments_query_overdue() == 1
    assert load(shop, due).query_attempts == 1
    assert load(shop, later).query_attempts == 0


def test_a_manager_resolves_an_unknown_payment(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder, pay: Callable[..., Payment]
) -> None:
    with override_settings(PAYMENT_UNKNOWN_AFTER=0):
        payment = pay(payer="0712345674")
    owner = owner_of(shop)
    with schema_context(shop.schema_name):
        with pytest.raises(Conflict):  # still pending: too early for a person
            payment_resolve(payment_id=payment.pk, outcome="failed", note="x", actor=owner)
        payment_query(payment_id=payment.pk)
        resolved = payment_resolve(
            payment_id=payment.pk, outcome="succeeded", note="Seen on the statement", actor=owner
        )
        assert (resolved.status, resolved.resolved_by_id) == ("succeeded", owner.pk)
        with pytest.raises(Conflict):  # final: nobody changes it again
            payment_resolve(payment_id=payment.pk, outcome="failed", note="oops", actor=owner)
    assert load(shop, payment).status == "succeeded"
    assert recorder.of(payment) == ["succeeded"]


def test_a_callback_log_row_is_kept_for_every_post(
    shop: Tenant, sandbox: Sandbox, pay: Callable[..., Payment],
    tenant_client: Callable[[Tenant], Client],
) -> None:  # fmt: skip
    payment = pay()
    record = stk_record(sandbox, payment)
    deliver(tenant_client(shop), record)
    with schema_context(shop.schema_name):
        row = PaymentCallback.objects.get()
        assert row.payment_id == payment.pk
        assert row.body == record["body"]
        assert row.provider == "mpesa"
