"""Webhooks a fake sends back to us, the one way every family of fakes does it: each is kept in
the fake's ``outbox`` (a test can post exactly those bytes itself) and, when the fake has a URL
for it, POSTed from a background thread — as the provider would, a moment after the event, and
never while the fake is still answering the call that caused it."""

from __future__ import annotations

import json
import threading
import time
from typing import Any, NamedTuple

import httpx


class Delivery(NamedTuple):
    """One webhook as the provider would POST it: the raw body and the headers that sign it."""

    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookSender:
    """The outbox and delivery log of a fake. The fake provides ``_lock`` and calls
    ``_reset_webhooks`` (with the lock held) from its ``reset``."""

    _lock: threading.RLock
    outbox: list[Delivery]
    delivered: list[dict[str, Any]]

    def _reset_webhooks(self) -> None:
        self.outbox = []
        self.delivered = []

    def send_webhook(self, url: str, delivery: Delivery, *, delay: float = 0.0) -> Delivery:
        """Keeps ``delivery`` in the outbox and, when ``url`` is set, POSTs it ``delay``
        seconds from now."""
        with self._lock:
            self.outbox.append(delivery)
        if url:
            threading.Thread(
                target=self._post_later,
                args=(url, delivery, delay),
                name=f"{type(self).__name__}-webhook",
                daemon=True,
            ).start()
        return delivery

    def _post_later(self, url: str, delivery: Delivery, delay: float) -> None:
        if delay:
            time.sleep(delay)
        self.post(url, delivery)

    def post(self, url: str, delivery: Delivery) -> int | None:
        """POSTs one delivery to ``url`` now; the answer's status (None: unreachable)."""
        try:
            response = httpx.post(url, content=delivery.body, headers=delivery.headers, timeout=10)
            status: int | None = response.status_code
        except httpx.HTTPError:
            status = None
        with self._lock:
            self.delivered.append({"url": url, "status": status, "body": delivery.body})
        return status
