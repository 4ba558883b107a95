"""Local fakes of the billing gateways for tests and development: ``stripe_fake`` (Stripe's
API, Checkout in setup mode, signed events) and ``paystack_fake`` (Paystack's transactions,
refunds, customers, pay page, signed events), on a shared ``core``, served by ``server``.
See ``docs/billing-gateways.md``."""

from devtools.billing_fakes.core import Delivery
from devtools.billing_fakes.paystack_fake import PaystackFake
from devtools.billing_fakes.server import BillingFakes, start_billing_fakes
from devtools.billing_fakes.stripe_fake import StripeFake

__all__ = ["BillingFakes", "Delivery", "PaystackFake", "StripeFake", "start_billing_fakes"]
