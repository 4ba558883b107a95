"""Gateways' webhooks: verified and stored raw on receipt (once per event id), acted on by a
task. Acting is safe in any order and any number of times, because what an event does is
recorded against our own attempt or setup reference (``collection.attempt_record`` keeps a
success final), never applied blindly."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.gateways.base import ChargeResult, WebhookEvent
from billing.gateways.registry import gateway_named
from billing.models import GatewayEvent
from billing.queueing import PROCESS_EVENT, billing_task_queue
from billing.services.accounts import account_finish_setup
from billing.services.collection import attempt_record
from saas_platform.locking import lock_row

PAYMENT_SUCCEEDED = "payment_succeeded"
PAYMENT_FAILED = "payment_failed"
SETUP_COMPLETED = "setup_completed"


def webhook_receive(*, gateway: str, body: bytes, headers: dict[str, str]) -> GatewayEvent | None:
    """Verifies and stores a webhook; returns the stored event when it is new (None: a replay).
    Raises ``InvalidWebhook`` for a malformed, forged or stale one, and stores nothing."""
    event = gateway_named(gateway).parse_webhook(body=body, headers=headers)
    try:
        with transaction.atomic():
            stored = GatewayEvent.objects.create(
                gateway=event.gateway,
                event_id=event.event_id,
                kind=event.kind,
                raw_type=event.raw_type[:100],
                reference=event.reference[:100],
                occurred_at=datetime.fromtimestamp(event.occurred_at, tz=UTC),
                facts={
                    "gateway_reference": event.gateway_reference,
                    "amount_minor": event.amount_minor,
                    "currency": event.currency,
                    "failure_code": event.failure_code,
                },
                body=body.decode("utf-8", errors="replace"),
            )
            # Acted on by a task, queued with the event: stored means it will be processed.
            billing_task_queue(PROCESS_EVENT, stored.pk)
            return stored
    except IntegrityError:
        # The same event id again: a replay, already stored (and processed or queued).
        return None


def _event(stored: GatewayEvent) -> WebhookEvent:
    facts = stored.facts
    return WebhookEvent(
        gateway=stored.gateway,
        event_id=stored.event_id,
        kind=stored.kind,
        occurred_at=stored.occurred_at.timestamp(),
        reference=stored.reference,
        gateway_reference=str(facts.get("gateway_reference", "")),
        amount_minor=int(facts.get("amount_minor") or 0),
        currency=str(facts.get("currency", "")),
        failure_code=str(facts.get("failure_code", "")),
        raw_type=stored.raw_type,
    )


def _act(event: WebhookEvent) -> str:
    if event.kind == SETUP_COMPLETED:
        account = account_finish_setup(gateway=event.gateway, reference=event.reference)
        return "payment method saved" if account else "no setup with this reference"
    if event.kind in (PAYMENT_SUCCEEDED, PAYMENT_FAILED):
        result = ChargeResult(
            status="succeeded" if event.kind == PAYMENT_SUCCEEDED else "failed",
            gateway_reference=event.gateway_reference,
            amount_minor=event.amount_minor,
            currency=event.currency,
            failure_code=event.failure_code,
        )
        attempt = attempt_record(reference=event.reference, result=result)
        return f"attempt {attempt.status}" if attempt else "no charge with this reference"
    return "ignored"


def webhook_process(*, event_pk: int) -> str:
    """Acts on a stored event once: confirmed with the gateway where it asks for that (Paystack),
    then recorded. A second delivery of the task finds it processed."""
    stored = GatewayEvent.objects.filter(pk=event_pk).first()
    if stored is None or stored.processed_at is not None:
        return "already processed"
    event = gateway_named(stored.gateway).confirm(_event(stored))
    outcome = _act(event)
    with transaction.atomic():
        locked = lock_row(GatewayEvent, pk=event_pk)
        if locked is not None and locked.processed_at is None:
            locked.processed_at = timezone.now()
            locked.outcome = outcome[:300]
            locked.save(update_fields=["processed_at", "outcome"])
    return outcome
