"""Who hears about a payment's outcome: one handler per purpose, and the C2B matchers.

The payments app knows nothing of sales or customer accounts; those apps register here (from
their ``AppConfig.ready``) and are called back. Handlers run inside the transaction that
settles the payment, after its row is locked and its status changed: if one raises, the
settlement rolls back and the payment stays open (a later query or callback tries again).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tenant_apps.payments.models import C2BPayment, Payment


class PaymentHandler(Protocol):
    def succeeded(self, payment: Payment) -> None: ...  # money received

    def failed(self, payment: Payment) -> None: ...  # definitely not paid


C2BMatcher = Callable[["C2BPayment"], bool]

_handlers: dict[str, PaymentHandler] = {}
_matchers: dict[str, C2BMatcher] = {}


def register_payment_handler(purpose: str, handler: PaymentHandler) -> None:
    """The handler for ``purpose``; registering again replaces it (module reloads, tests)."""
    _handlers[purpose] = handler


def register_c2b_matcher(name: str, matcher: C2BMatcher) -> None:
    """Offers each new C2B payment to ``matcher``; True means it was consumed. Matchers are asked
    in registration order; registering a name again replaces it in place."""
    _matchers[name] = matcher


def payment_handler(purpose: str) -> PaymentHandler | None:
    return _handlers.get(purpose)


def payment_purposes() -> list[str]:
    """The purposes a payment can have: those with a handler (``sale``, …)."""
    return sorted(_handlers)


def c2b_matchers() -> list[tuple[str, C2BMatcher]]:
    return list(_matchers.items())
