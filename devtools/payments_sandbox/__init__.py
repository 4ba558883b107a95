"""A local fake of the payment providers (M-Pesa Daraja, Airtel Money, Flutterwave, Razorpay)
for tests and development; see ``docs/payments-sandbox.md``."""

from devtools.payments_sandbox.server import (
    SANDBOX_CREDENTIALS,
    SCENARIOS,
    Sandbox,
    SandboxApp,
    start_sandbox,
)

__all__ = ["SANDBOX_CREDENTIALS", "SCENARIOS", "Sandbox", "SandboxApp", "start_sandbox"]
