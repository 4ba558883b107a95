"""Both fakes as one WSGI application served from a background thread, with a handle for tests
(``BillingFakes``): Stripe at the root (the ``stripe`` package adds ``/v1/…``), Paystack under
``/paystack``."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from devtools.billing_fakes.core import GatewayFake, Request, Response, Route, reply
from devtools.billing_fakes.paystack_fake import PREFIX as PAYSTACK_PREFIX
from devtools.billing_fakes.paystack_fake import PaystackFake
from devtools.billing_fakes.stripe_fake import StripeFake
from devtools.payments_sandbox.core import LoggedWsgiApp
from devtools.threaded_server import ServedFakes, ThreadedServer


class BillingFakesApp(LoggedWsgiApp):
    """Routes each request to the fake that owns its path, checking the secret key and the
    outage knob of API calls first; logs every request."""

    def __init__(self, stripe: StripeFake, paystack: PaystackFake) -> None:
        self.stripe = stripe
        self.paystack = paystack
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._routes: list[tuple[re.Pattern[str], Route, GatewayFake]] = [
            (re.compile(route.pattern), route, fake)
            for fake in (stripe, paystack)
            for route in fake.routes()
        ]

    def _dispatch(self, request: Request) -> Response:
        wrong_method = False
        for pattern, route, fake in self._routes:
            match = pattern.fullmatch(request.path)
            if not match:
                continue
            if route.method != request.method:
                wrong_method = True
                continue
            if route.api:
                failure = fake.take_failure()
                if failure is not None:
                    return fake.outage(failure)
                if not fake.authorized(request):
                    return fake.unauthorized()
            try:
                response = route.handler(request, **match.groupdict())
            except Exception as exc:  # a fake gateway still answers like a server
                return reply(500, {"error": f"billing fake failure: {exc!r}"})
            if route.api:
                time.sleep(fake.take_lateness())
            return response
        return reply(405 if wrong_method else 404, {"error": "no such endpoint in the fakes"})


class BillingFakes(ServedFakes):
    """Running fakes: their URL, each gateway's fake (state, records, knobs), the request log."""

    def __init__(self, app: BillingFakesApp, served: ThreadedServer) -> None:
        super().__init__(app, served)
        self.stripe = app.stripe
        self.paystack = app.paystack
        self.stripe.base_url = self.url
        self.paystack.base_url = self.url

    @property
    def stripe_api_base(self) -> str:
        return self.url

    @property
    def paystack_api_base(self) -> str:
        return f"{self.url}{PAYSTACK_PREFIX}"

    def settings(self) -> dict[str, str]:
        """The platform settings that point the gateways at these fakes."""
        return {
            "STRIPE_API_BASE": self.stripe_api_base,
            "STRIPE_SECRET_KEY": self.stripe.secret_key,
            "STRIPE_WEBHOOK_SECRET": self.stripe.webhook_secret,
            "PAYSTACK_API_BASE": self.paystack_api_base,
            "PAYSTACK_SECRET_KEY": self.paystack.secret_key,
        }

    def resettable(self) -> list[Any]:
        return [self.stripe, self.paystack]


def start_billing_fakes(
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    stripe: StripeFake | None = None,
    paystack: PaystackFake | None = None,
) -> BillingFakes:
    """Serves fresh fakes from a background thread; ``port=0`` picks a free port."""
    app = BillingFakesApp(stripe or StripeFake(), paystack or PaystackFake())
    return BillingFakes(app, ThreadedServer(app, host=host, port=port, name="billing-fakes"))
