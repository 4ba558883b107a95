"""Status queries of payments whose result has not come back, inside the business's schema."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings
from django_tenants.utils import tenant_context

from shared_apps.tenants.selectors import tenant_list
from tenant_apps.payments.query_queue import QUERY_TASK, running_query_from
from tenant_apps.payments.services.lifecycle import payment_query_if_due, payments_query_overdue


@shared_task(name=QUERY_TASK, bind=True)
def query_task(self: Task, payment_id: int) -> str | None:
    delivery = getattr(self.request, "delivery_info", None) or {}
    with running_query_from(delivery.get("routing_key")):
        payment = payment_query_if_due(payment_id=payment_id)
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
