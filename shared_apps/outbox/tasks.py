from celery import shared_task

from shared_apps.outbox.services import outbox_drain


@shared_task(name="outbox.drain", ignore_result=True)
def drain() -> int:
    """Beat runs this every few seconds: what could not reach the broker when it was queued."""
    return outbox_drain()
