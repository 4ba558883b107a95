"""Work queued by a request while the broker is down is done once it is back: a gateway's
webhook is stored with its task in the outbox, answered 200, and acted on by a real worker after
the broker returns (the drain beat runs every few seconds, run here directly)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from billing.models import (
    AttemptStatus,
    GatewayEvent,
    Invoice,
    InvoiceStatus,
    PaymentAttempt,
    Subscription,
)
from billing.services.collection import invoice_collect
from billing.services.invoicing import invoice_next_boundary
from devtools.billing_fakes.server import BillingFakes
from shared_apps.outbox.models import OutboxMessage
from shared_apps.outbox.services import outbox_drain
from shared_apps.tenants.models import Tenant
from tests.support.billing import end_trials, save_mobile_money
from tests.support.brokers import PrivateRedis
from tests.support.urls import root_path
from tests.support.waiting import wait_until
from tests.support.workers import start_worker, stop_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_webhook_received_while_the_broker_is_down_is_acted_on_once_it_is_back(
    broker: PrivateRedis,
    make_tenant: Callable[..., Tenant],
    billing_fakes: BillingFakes,
    settings: Any,
    public_tenant: Tenant,
) -> None:
    # A KES business whose invoice Paystack charged, the charge call's answer lost to us: only
    # Paystack's webhook will tell, and it arrives while our broker is down.
    shop = make_tenant(country="KE", currency="KES", time_zone="Africa/Nairobi")
    save_mobile_money(shop, billing_fakes)
    end_trials(shop)
    invoice = invoice_next_boundary(subscription_id=Subscription.objects.get(tenant=shop).pk)
    assert invoice is not None
    invoice_collect(invoice_id=invoice.pk)
    reference = invoice.attempts.get().reference
    (delivery,) = [
        d
        for d in billing_fakes.paystack.events("charge.success")
        if json.loads(d.body)["data"]["reference"] == reference
    ]
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.FINALIZED, paid_at=None)
    PaymentAttempt.objects.filter(invoice=invoice).update(status=AttemptStatus.PENDING)
    worker = start_worker(
        settings.BILLING_TASK_QUEUE,
        CELERY_BROKER_URL=broker.url,
        BILLING_TASK_QUEUE=settings.BILLING_TASK_QUEUE,
        **billing_fakes.settings(),
    )
    try:
        broker.stop()
        headers = {k: v for k, v in delivery.headers.items() if k.lower() != "content-type"}
        answer = Client(HTTP_HOST=settings.PLATFORM_DOMAIN).post(
            root_path("billing-webhooks:webhook-paystack"),
            data=delivery.body,
            content_type="application/json",
            headers=headers,
        )
        assert answer.status_code == 200, answer.content
        assert GatewayEvent.objects.count() == 1
        assert OutboxMessage.objects.filter(task_name="billing.process_event").count() == 1

        broker.start()
        assert outbox_drain() == 1  # what beat's drain does every few seconds
        assert wait_until(
            lambda: Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID, timeout=90
        )
    finally:
        stop_worker(worker)
    assert not OutboxMessage.objects.exists()
    assert GatewayEvent.objects.get().processed_at is not None
