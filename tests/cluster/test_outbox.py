"""The task outbox: a task queued in a transaction goes to the broker when it commits, never
when it rolls back, carries the schema of the business that queued it, and waits out a broker
outage: work queued by a request while the broker is down is done once it is back."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
import redis
from django.db import transaction
from django_tenants.utils import tenant_context

from shared_apps.outbox.models import OutboxMessage
from shared_apps.outbox.services import outbox_drain, outbox_send
from shared_apps.tenants.models import Tenant
from tests.support.brokers import PrivateRedis

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "test-outbox"


def _messages(broker: PrivateRedis, queue: str) -> list[dict[str, Any]]:
    raw = redis.Redis.from_url(broker.url).lrange(queue, 0, -1)
    return [json.loads(item) for item in raw]


def _args(message: dict[str, Any]) -> list[Any]:
    body = json.loads(base64.b64decode(message["body"]))
    return list(body[0])


def test_a_committed_task_goes_at_once_with_its_business_schema(
    broker: PrivateRedis, make_tenant: Callable[..., Tenant]
) -> None:
    shop = make_tenant()

    with tenant_context(shop), transaction.atomic():
        outbox_send("inventory.expire_reservations", args=[7], queue=QUEUE)
        assert broker.length(QUEUE) == 0  # not before the commit

    (message,) = _messages(broker, QUEUE)
    assert message["headers"]["task"] == "inventory.expire_reservations"
    assert message["headers"]["_schema_name"] == shop.schema_name
    assert _args(message) == [7]
    assert not OutboxMessage.objects.exists()


def test_a_rolled_back_task_is_never_sent(broker: PrivateRedis) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_send("billing.process_event", args=[1], queue=QUEUE)
        raise RuntimeError("the request failed")

    assert broker.length(QUEUE) == 0
    assert not OutboxMessage.objects.exists()


def test_tasks_queued_while_the_broker_is_down_go_in_order_when_it_is_back(
    broker: PrivateRedis,
) -> None:
    broker.stop()
    for n in range(3):
        outbox_send("billing.process_event", args=[n], queue=QUEUE)

    assert list(OutboxMessage.objects.values_list("args", "failures")) == [
        ([0], 1),
        ([1], 1),
        ([2], 1),
    ]
    assert outbox_drain() == 0  # still away: nothing lost, nothing sent

    # Back, and empty (a restarted Redis keeps nothing): the drain declares the queue itself.
    broker.start()
    assert outbox_drain() == 3
    assert outbox_drain() == 0
    assert [_args(m) for m in _messages(broker, QUEUE)][::-1] == [[0], [1], [2]]
    assert not OutboxMessage.objects.exists()
