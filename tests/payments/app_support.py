"""Helpers for the payments app tests: provider accounts on the sandbox, a recording consumer,
and posting what the sandbox recorded to our endpoints as the provider would."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

import redis
from django.conf import settings
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from devtools.payments_sandbox import Sandbox
from shared_apps.tenants.models import Tenant
from tenant_apps.payments.gateways.base import InitiateRequest
from tenant_apps.payments.handlers import register_payment_handler
from tenant_apps.payments.models import Payment, PaymentCallback, ProviderAccount
from tenant_apps.payments.seeding import sandbox_accounts_install

PURPOSE = "test"


class Recorder:
    """A consumer of payment outcomes (what checkout will be), recording what it heard."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()

    def succeeded(self, payment: Payment) -> None:
        with self._lock:
            self.calls.append(("succeeded", str(payment.public_id), payment.status))

    def failed(self, payment: Payment) -> None:
        with self._lock:
            self.calls.append(("failed", str(payment.public_id), payment.status))

    def of(self, payment: Payment) -> list[str]:
        return [kind for kind, public_id, _ in self.calls if public_id == str(payment.public_id)]


def recorder_registered() -> Recorder:
    recorder = Recorder()
    register_payment_handler(PURPOSE, recorder)
    return recorder


@contextmanager
def scratch_task_queue() -> Iterator[str]:
    """Status queries these tests schedule go to a queue of their own, emptied afterwards, so
    that no worker of anyone else's ever picks them up."""
    queue = f"test-payments-{secrets.token_hex(4)}"
    with override_settings(PAYMENT_TASK_QUEUE=queue):
        yield queue
    redis.Redis.from_url(settings.REDIS_URL).delete(queue)


def install_accounts(tenant: Tenant, sandbox: Sandbox) -> dict[str, ProviderAccount]:
    with schema_context(tenant.schema_name):
        return {a.provider: a for a in sandbox_accounts_install(sandbox.url)}


def load(tenant: Tenant, payment: Payment) -> Payment:
    with schema_context(tenant.schema_name):
        return Payment.objects.get(pk=payment.pk)


def callback_log(tenant: Tenant) -> list[tuple[str, str]]:
    with schema_context(tenant.schema_name):
        return list(PaymentCallback.objects.order_by("pk").values_list("kind", "result"))


def post_raw(client: Client, path: str, body: bytes | str, headers: dict[str, str]) -> Any:
    extra = {
        f"HTTP_{key.upper().replace('-', '_')}": value
        for key, value in headers.items()
        if key.lower() != "content-type"
    }
    return client.generic("POST", path, body, content_type="application/json", **extra)  # type: ignore[arg-type]


def deliver(client: Client, record: dict[str, Any], path: str = "") -> Any:
    """Posts a callback the sandbox recorded, byte for byte, to ``path`` (default: its URL's)."""
    return post_raw(client, path or urlparse(record["url"]).path, record["body"], record["headers"])


def stk_callback(checkout_id: str, code: int, *, amount: Decimal, receipt: str = "") -> bytes:
    """A Daraja STK callback as Safaricom sends it (unsigned)."""
    callback: dict[str, Any] = {
        "MerchantRequestID": "29115-34620561-1",
        "CheckoutRequestID": checkout_id,
        "ResultCode": code,
        "ResultDesc": "The service request is processed successfully." if code == 0 else "x",
    }
    if code == 0:
        callback["CallbackMetadata"] = {
            "Item": [
                {"Name": "Amount", "Value": float(amount) if amount % 1 else int(amount)},
                {"Name": "MpesaReceiptNumber", "Value": receipt},
                {"Name": "Balance"},
                {"Name": "TransactionDate", "Value": int(datetime.now().strftime("%Y%m%d%H%M%S"))},
                {"Name": "PhoneNumber", "Value": 254712345674},
            ]
        }
    return json.dumps({"Body": {"stkCallback": callback}}).encode()


def push_request(payer: str = "254712345670", **overrides: object) -> InitiateRequest:
    values: dict[str, object] = {
        "reference": "pay-0001",
        "amount": Decimal("150"),
        "currency": "KES",
        "callback_url": "https://duka.test/payments/cb/unguessable-token",
        "payer": payer,
        "account_reference": "INV-42",
        "description": "Duka sale",
    }
    values.update(overrides)
    return InitiateRequest(**values)  # type: ignore[arg-type]


def platform_allows(settings: Any, host_port: str) -> None:
    """Puts ``host_port`` on the platform owner's list (PAYMENT_EXTRA_ALLOWED_HOSTS) for one
    test: how a local fake provider is reached; no business setting can do this."""
    settings.PAYMENT_EXTRA_ALLOWED_HOSTS = [
        *settings.PAYMENT_EXTRA_ALLOWED_HOSTS,
        host_port,
    ]
