"""Status queries of payments whose result has not come back, inside the business's schema."""

from __future__ import annotations

from celery import Task, shared_task

from shared_apps.tenants.fan_out import per_business
from tenant_apps.payments.query_queue import QUERY_TASK, query_queue, running_query_from
from tenant_apps.payments.services.lifecycle import payment_query_if_due, payments_query_overdue


@shared_task(name=QUERY_TASK, bind=True)
def query_task(self: Task, payment_id: int) -> str | None:
    delivery = getattr(self.request, "delivery_info", None) or {}
    with running_query_from(delivery.get("routing_key")):
        payment = payment_query_if_due(payment_id=payment_id)
    return payment.status if payment else None


@per_business(queue=query_queue)
@shared_task(name="payments.query_overdue")
def query_overdue() -> int:
    return payments_query_overdue()
