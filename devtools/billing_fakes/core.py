"""What the Stripe and Paystack fakes share: routes, the record of charges, the webhook outbox
(and its delivery), the outage knob, and one lock per fake.

Requests and responses are the provider sandbox's (``devtools.payments_sandbox.core``), so both
families of fakes speak HTTP the same way.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from devtools.fault_knobs import FaultKnobs
from devtools.payments_sandbox.core import Request, Response, dumps, reply
from devtools.webhook_delivery import Delivery, WebhookSender

__all__ = ["Delivery", "GatewayFake", "Request", "Response", "Route", "dumps", "reply"]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str  # a regular expression matched against the whole path
    handler: Callable[..., Response]
    api: bool = True  # an API call (key checked, outages apply), not a hosted page


def random_id(prefix: str, length: int = 24) -> str:
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def now() -> int:
    return int(time.time())


class GatewayFake(WebhookSender, FaultKnobs):
    """State and knobs one fake gateway has. Subclasses add their endpoints (``routes``), their
    state (``_reset_state``, called with the lock held), the key check (``authorized`` and
    ``unauthorized``) and their error shape (``outage``)."""

    name: ClassVar[str] = ""

    def __init__(self, *, secret_key: str, webhook_url: str = "", deliver: bool = True) -> None:
        self.secret_key = secret_key
        self.webhook_url = webhook_url
        self.deliver = deliver
        self.base_url = ""  # set when served
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.charges: list[dict[str, Any]] = []
            self._reset_webhooks()
            self._reset_faults()
            self._reset_state()

    def _reset_state(self) -> None:
        """The gateway's own objects, fresh."""

    def routes(self) -> list[Route]:
        return []

    # --- what every API call goes through -----------------------------------------------

    def authorized(self, request: Request) -> bool:
        return secrets.compare_digest(
            request.headers.get("authorization", "").encode(),
            f"Bearer {self.secret_key}".encode(),
        )

    def unauthorized(self) -> Response:
        return reply(401, {"error": "unauthorized"})

    def outage(self, status: int) -> Response:
        return reply(status, {"error": "the fake is failing on purpose"})

    # --- records (the knobs, fail_next and answer_late, are FaultKnobs') ----------------------

    def charges_for(self, reference: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self.charges if c["reference"] == reference]

    # --- webhooks ----------------------------------------------------------------------------

    def emit(self, delivery: Delivery) -> Delivery:
        """Puts a signed webhook in the outbox and, when a URL is configured, POSTs it from a
        background thread (as the gateway would, a moment after the event)."""
        with self._lock:
            url = self.webhook_url if self.deliver else ""
        return self.send_webhook(url, delivery)
