"""The sandbox as one server: the four providers' fakes combined into one WSGI application,
served from a background thread, with a handle for tests (``Sandbox``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from devtools.payments_sandbox import airtel, card, mpesa, upi
from devtools.payments_sandbox.airtel import AirtelSandbox
from devtools.payments_sandbox.card import CardSandbox
from devtools.payments_sandbox.mpesa import MpesaSandbox
from devtools.payments_sandbox.upi import UpiSandbox
from devtools.threaded_server import ServedFakes, ThreadedServer
from tenant_apps.payments.gateways import destinations
from tenant_apps.payments.gateways.base import Credentials

# What each fake accepts by default; ``GET /__sandbox__/credentials`` answers them (with the
# certificate of this process's key) to another process.
SANDBOX_CREDENTIALS: dict[str, dict[str, str]] = {
    "mpesa": mpesa.CREDENTIALS,
    "airtel": airtel.CREDENTIALS,
    "card": card.CREDENTIALS,
    "upi": upi.CREDENTIALS,
    "cash": {},
}


class SandboxApp(MpesaSandbox, AirtelSandbox, CardSandbox, UpiSandbox):
    """All four providers in one WSGI application, sharing one lock, one request log and one
    list of callbacks."""

    DEFAULT_CREDENTIALS = SANDBOX_CREDENTIALS


class Sandbox(ServedFakes):
    """A running sandbox: its URL, its recorded traffic, and knobs for tests."""

    app: SandboxApp

    def __init__(self, app: SandboxApp, served: ThreadedServer) -> None:
        super().__init__(app, served)
        app.base_url = self.url
        # A sandbox this process started is the platform's own: the server may call it.
        destinations.sandbox_trust(self.url)

    def stop(self) -> None:
        destinations.sandbox_forget(self.url)
        self.app.stop_timers()
        super().stop()

    def credentials(self, provider: str) -> Credentials:
        return self.app.credentials_for(provider)

    def callbacks(
        self, provider: str | None = None, kind: str | None = None
    ) -> list[dict[str, Any]]:
        with self.app._lock:
            return [
                dict(r)
                for r in self.app.callbacks
                if (provider is None or r["provider"] == provider)
                and (kind is None or r["kind"] == kind)
            ]

    def set_scenario(self, payer: str, scenario: int | None) -> None:
        with self.app._lock:
            if scenario is None:
                self.app.scenarios.pop(payer, None)
            else:
                self.app.scenarios[payer] = scenario

    def set_webhook_url(self, provider: str, url: str) -> None:
        with self.app._lock:
            self.app.webhook_urls[provider] = url

    def reset(self) -> None:
        self.app._reset_state()

    def pay_card(
        self,
        tx_ref: str,
        result: str = "success",
        *,
        amount: Decimal | None = None,
        currency: str | None = None,
    ) -> dict[str, Any]:
        return self.app.pay_card(tx_ref, result, amount=amount, currency=currency)

    def simulate_c2b(self, **kwargs: Any) -> dict[str, Any]:
        return self.app.simulate_c2b(**kwargs)

    def set_b2c_balance(self, balance: Decimal) -> None:
        """Payouts above this fail with ResultCode 1 (insufficient balance)."""
        with self.app._lock:
            self.app.b2c_balance = Decimal(balance)

    @property
    def b2c_balance(self) -> Decimal:
        with self.app._lock:
            return self.app.b2c_balance

    def decrypt_credential(self, security_credential: str) -> str:
        return self.app.keys.decrypt_credential(security_credential)


def start_sandbox(
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    deliver: bool = True,
    callback_delay: float = 2.0,
    credentials: dict[str, dict[str, str]] | None = None,
    webhook_urls: dict[str, str] | None = None,
) -> Sandbox:
    """Serves a fresh sandbox from a background thread; ``port=0`` picks a free port."""
    app = SandboxApp(
        deliver=deliver,
        callback_delay=callback_delay,
        credentials=credentials,
        webhook_urls=webhook_urls,
    )
    return Sandbox(app, ThreadedServer(app, host=host, port=port, name="payments-sandbox"))
