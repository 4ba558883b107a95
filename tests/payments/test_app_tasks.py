"""The status query runs on a real Celery worker, in the business's schema, when the callback
never comes; beat's fan-out reaches every business."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context
from moneyed import Money

from devtools.payments_sandbox import Sandbox
from shared_apps.tenants.fan_out import fan_out
from shared_apps.tenants.models import Tenant
from tenant_apps.payments.models import Payment
from tenant_apps.payments.services.lifecycle import payment_create
from tests.payments.app_support import install_accounts, load, scratch_task_queue
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quick_worker(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> str:
    """A worker whose own follow-up queries come after half a second, not thirty."""
    monkeypatch.setenv("PAYMENT_QUERY_AFTER", "0.5")
    queue: str = request.getfixturevalue("worker_queue")
    return queue


def test_a_missing_callback_is_made_up_for_by_queries_on_the_worker(
    business: Tenant, sandbox: Sandbox, quick_worker: str
) -> None:
    worker_queue = quick_worker
    install_accounts(business, sandbox)

    # scenario 2: no callback; the first query answers "being processed", the next success
    fast = override_settings(PAYMENT_QUERY_AFTER=0.5, PAYMENT_TASK_QUEUE=worker_queue)
    with fast, schema_context(business.schema_name):
        payment = payment_create(provider="mpesa", amount=Money(75, "KES"), payer="0712345672",
                                 purpose="test", purpose_ref="Q-1")  # fmt: skip

    assert wait_until(lambda: load(business, payment).status == "succeeded"), load(
        business, payment
    )
    done = load(business, payment)
    assert done.query_attempts == 2  # the worker rescheduled itself once, with backoff
    assert len(sandbox.requests("/mpesa/stkpushquery/v1/query")) == 2
    assert sandbox.callbacks("mpesa") == []


def test_the_fan_out_queries_overdue_payments_in_every_business(
    make_tenant: Callable[..., Tenant], sandbox: Sandbox, worker_queue: str
) -> None:
    shops = [make_tenant(), make_tenant()]
    payments = {}
    for shop in shops:
        install_accounts(shop, sandbox)
        # queued where no worker listens: the scheduled query is "lost"
        with scratch_task_queue(), schema_context(shop.schema_name):
            payment = payment_create(provider="mpesa", amount=Money(75, "KES"),
                                     payer="0712345670", purpose="test",
                                     purpose_ref="Q-2")  # fmt: skip
            Payment.objects.filter(pk=payment.pk).update(next_query_at=payment.created_at)
        payments[shop] = payment

    fan_out.apply_async(args=["payments.query_overdue", worker_queue], queue=worker_queue).get(
        timeout=60
    )

    assert wait_until(lambda: all(load(s, p).status == "succeeded" for s, p in payments.items())), {
        s.slug: load(s, p).status for s, p in payments.items()
    }
