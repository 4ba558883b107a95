"""Status queries of payments whose result has not come back, inside the business's schema."""

from __future__ import annotations

from contextvars import ContextVar

from celery import Task, shared_task
from django.conf import settings
from django_tenants.utils import tenant_context

from shared_apps.tenants.selectors import tenant_list
from tenant_apps.payments.services.lifecycle import payment_query_if_due, payments_query_overdue

# The queue the running query task came from: its follow-up query goes back to the same one.
_current_queue: ContextVar[str | None] = ContextVar("payments_query_queue", default=None)


def query_queue() -> str | None:
    return _current_queue.get() or settings.PAYMENT_TASK_QUEUE or None


@shared_task(name="payments.query", bind=True)
def query_task(self: Task, payment_id: int) -> str | None:
    delivery = getattr(self.request, "delivery_info", None) or {}
    token = _current_queue.set(delivery.get("routing_key") or None)
    try:
        payment = payment_query_if_due(payment_id=payment_id)
    finally:
        _current_queue.reset(token)
    return payment.status if payment else None


@shared_task(name="payments.query_overdue")
def query_overdue() -> int:
    return payments_query_overdue()


@shared_task(name="payments.fan_out")
def fan_out(task_name: str, queue: str | None = None) -> int:
    """Queues ``task_name`` once per business, each run inside that business's schema."""
    task = {"query_overdue": query_overdue}[task_name]
    queued = 0
    for tenant in tenant_list().exclude(status__in=["suspended", "cancelled"]):
        with tenant_context(tenant):
            # tenant-schemas-celery stamps the current schema on the message.
            task.apply_async(queue=queue or settings.PAYMENT_TASK_QUEUE or None)
        queued += 1
    return queued
