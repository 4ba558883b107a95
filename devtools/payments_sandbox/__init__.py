"""A local fake of the payment providers for tests and development, one module per provider
like ``tenant_apps/payments/gateways/``: ``mpesa`` (Daraja), ``airtel`` (Airtel Money), ``card``
(Flutterwave's hosted page), ``upi`` (Razorpay), on a shared ``core``, served by ``server``.
See ``docs/payments-sandbox.md``."""

from devtools.payments_sandbox.core import SCENARIOS
from devtools.payments_sandbox.server import (
    SANDBOX_CREDENTIALS,
    Sandbox,
    SandboxApp,
    start_sandbox,
)

__all__ = ["SANDBOX_CREDENTIALS", "SCENARIOS", "Sandbox", "SandboxApp", "start_sandbox"]
