"""What a provider is answered, body and status, for every way a post can end: the provider's
own acknowledgement for a result we took (or already had) or that is genuine but not ours, and
the one error shape for a post we refuse."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from moneyed import Money

from devtools.payments_sandbox import Sandbox
from shared_apps.tenants.models import Tenant
from tenant_apps.payments.gateways.airtel import callback_hash
from tenant_apps.payments.handlers import register_payment_handler
from tenant_apps.payments.models import Payment, ProviderAccount
from tenant_apps.payments.services.callbacks import (
    Verdict,
    payment_callback_handle,
    provider_webhook_handle,
)
from tenant_apps.payments.services.lifecycle import payment_create
from tests.payments.app_support import (
    PURPOSE,
    Recorder,
    callback_log,
    deliver,
    load,
    post_raw,
)

CaptureOnCommit = Callable[..., Any]


def airtel_payment(shop: Tenant, payer: str, capture: CaptureOnCommit) -> Payment:
    with schema_context(shop.schema_name), capture(execute=True):
        payment = payment_create(provider="airtel", amount=Money(200, "KES"), payer=payer,
                                 purpose=PURPOSE, purpose_ref="ACK-1")  # fmt: skip
    return load(shop, payment)


def airtel_account(shop: Tenant) -> ProviderAccount:
    with schema_context(shop.schema_name):
        return ProviderAccount.objects.get(provider="airtel")


def webhook_path(shop: Tenant) -> str:
    return f"/api/v1/payments/webhooks/{airtel_account(shop).c2b_token}/"


def test_an_airtel_result_and_its_retry_get_airtels_acknowledgement(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder,
    tenant_client: Callable[[Tenant], Client], django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    payment = airtel_payment(shop, "0733123450", django_capture_on_commit_callbacks)
    [record] = sandbox.callbacks("airtel")
    client = tenant_client(shop)

    first = deliver(client, record, webhook_path(shop))
    again = deliver(client, record, webhook_path(shop))

    assert (first.status_code, first.json()) == (200, {"status": "accepted"})
    assert (again.status_code, again.json()) == (200, {"status": "accepted"})
    assert load(shop, payment).status == "succeeded"
    assert callback_log(shop) == [("stk", "accepted"), ("stk", "duplicate")]


def test_a_genuine_result_for_no_payment_of_ours_is_acknowledged_as_ignored(
    shop: Tenant, recorder: Recorder, tenant_client: Callable[[Tenant], Client]
) -> None:
    # Signed with the account's own key, about a payment made elsewhere on the merchant account.
    transaction = {"id": "made-elsewhere-1", "message": "Paid", "status_code": "TS",
                   "airtel_money_id": "AM-ELSEWHERE"}  # fmt: skip
    secret = airtel_account(shop).credentials["callback_secret"]
    body = json.dumps({"transaction": transaction, "hash": callback_hash(secret, transaction)})

    response = post_raw(tenant_client(shop), webhook_path(shop), body, {})

    assert (response.status_code, response.json()) == (200, {"status": "ignored"})
    assert recorder.calls == []
    assert callback_log(shop) == [("stk", "rejected")]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/payments/callbacks/nope/", "/api/v1/payments/webhooks/nope/",
     "/api/v1/payments/refund-callbacks/nope/"],
)  # fmt: skip
def test_an_unknown_token_is_answered_in_the_one_error_shape(
    shop: Tenant, tenant_client: Callable[[Tenant], Client], path: str
) -> None:
    response = post_raw(tenant_client(shop), path, b"{}", {})

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


def test_a_post_that_is_not_a_callback_is_answered_in_the_one_error_shape(
    shop: Tenant, tenant_client: Callable[[Tenant], Client]
) -> None:
    response = post_raw(tenant_client(shop), webhook_path(shop), b"not json", {})

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "callback_rejected",
            "message": "The callback body is not JSON.",
            "fields": {},
        }
    }


def test_a_result_we_cannot_apply_now_is_a_503_for_the_provider_to_retry(
    shop: Tenant, sandbox: Sandbox, tenant_client: Callable[[Tenant], Client],
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    class Broken:
        def succeeded(self, payment: Payment) -> None:
            raise RuntimeError("sale is gone")

        def failed(self, payment: Payment) -> None:
            raise RuntimeError("sale is gone")

    register_payment_handler(PURPOSE, Broken())
    payment = airtel_payment(shop, "0733123450", django_capture_on_commit_callbacks)
    [record] = sandbox.callbacks("airtel")

    response = deliver(tenant_client(shop), record, webhook_path(shop))

    assert response.status_code == 503
    assert response.json() == {
        "error": {"code": "unavailable", "message": "Could not process now.", "fields": {}}
    }
    assert load(shop, payment).status == "pending"


def test_the_services_say_what_happened_and_the_api_how_to_answer_it(
    shop: Tenant, sandbox: Sandbox, recorder: Recorder,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:  # fmt: skip
    payment = airtel_payment(shop, "0733123450", django_capture_on_commit_callbacks)
    [record] = sandbox.callbacks("airtel")
    token = airtel_account(shop).c2b_token
    body, headers = record["body"].encode(), record["headers"]

    with schema_context(shop.schema_name):
        outcomes = [
            provider_webhook_handle(token=token, body=body, headers=headers),
            provider_webhook_handle(token=token, body=body, headers=headers),
            provider_webhook_handle(token=token, body=b"[]", headers={}),
            provider_webhook_handle(token="nope", body=body, headers=headers),
            payment_callback_handle(token=payment.callback_token, body=b"{}", headers={}),
        ]

    assert [(o.verdict, o.provider) for o in outcomes] == [
        (Verdict.ACCEPTED, "airtel"),
        (Verdict.DUPLICATE, "airtel"),
        (Verdict.REJECTED, "airtel"),
        (Verdict.UNKNOWN_URL, ""),
        (Verdict.REJECTED, "airtel"),
    ]
    assert outcomes[2].reason == "The callback body is not a JSON object."
    assert load(shop, payment).status == "succeeded"
