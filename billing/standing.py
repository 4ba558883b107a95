"""A business held by billing: suspended or cancelled for an unpaid invoice.

Held is not shut out. Its staff can still sign in, read, export and pay; every other write is
refused with a clear code (402 ``subscription_suspended`` / ``subscription_cancelled``), so the
terminal can say why a sale is refused. A business the platform owner suspended from the
console (abuse, a request) is not held by billing and stays refused outright, as before.
"""

from __future__ import annotations

from django.conf import settings

from billing.models import Subscription, SubscriptionStatus
from saas_platform.errors import DukaError
from shared_apps.tenants.models import Tenant

HELD = frozenset({SubscriptionStatus.SUSPENDED, SubscriptionStatus.CANCELLED})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Writes a held business may still make: signing in and out, passwords, and paying.
WRITES_WHILE_HELD = frozenset(
    {
        "staff:auth-login",
        "staff:auth-logout",
        "staff:token-refresh",
        "staff:auth-pin-login",
        "staff:password-change",
        "staff:password-reset",
        "staff:password-reset-confirm",
        "terminal:login",
        "terminal:logout",
        "terminal:password-reset-request",
        "terminal:password-reset-confirm",
    }
)
# Every route of these namespaces: the business's own billing, its API and its page (pay,
# change the method). The subscription services refuse what must wait for the payment (a plan
# change or a cancellation while suspended).
NAMESPACES_WHILE_HELD = frozenset({"billing-account", "billing-page"})

MESSAGES = {
    SubscriptionStatus.SUSPENDED.value: (
        "{name} is suspended for an unpaid Duka invoice. You can sign in, look things up, "
        "export and pay, but not sell or change anything until it is paid (Billing)."
    ),
    SubscriptionStatus.CANCELLED.value: (
        "{name}'s Duka subscription is cancelled for non-payment. Its data is kept: you can "
        "sign in, look things up and export. Paying the unpaid invoices reactivates it (Billing)."
    ),
}


def billing_hold(tenant: Tenant) -> str | None:
    """``suspended`` or ``cancelled`` when billing holds the business, else None."""
    if tenant.status not in HELD:
        return None
    held = Subscription.objects.filter(tenant_id=tenant.pk, status=tenant.status).exists()
    return str(tenant.status) if held else None


def allowed_while_held(method: str, route: str | None) -> bool:
    """May a held business make this request (``route`` is ``namespace:name``, or None)?"""
    if method in SAFE_METHODS:
        return True
    if route is None:
        return False
    return route in WRITES_WHILE_HELD or route.split(":", 1)[0] in NAMESPACES_WHILE_HELD


def held_message(hold: str, business_name: str) -> str:
    return MESSAGES[hold].format(name=business_name)


PAST_DUE_MESSAGE = (
    "{name} could not be charged for its last Duka invoice. Everything works as usual for now; "
    "if it is still unpaid {days} days after the first failed charge, the business becomes "
    "read-only until it is paid (Billing)."
)


def banner_message(status: str, hold: str | None, business_name: str) -> str | None:
    """What the business's pages say while its subscription is behind (None: nothing to say).

    ``status`` is the business's (it follows the subscription's); ``hold`` what the routing
    middleware found (``billing_hold``), so that a business the platform suspended, which never
    reaches a page, is not told to pay."""
    if hold is not None:
        return held_message(hold, business_name)
    if status == SubscriptionStatus.PAST_DUE:
        return PAST_DUE_MESSAGE.format(name=business_name, days=settings.BILLING_GRACE_DAYS)
    return None


class BillingHeld(DukaError):
    """A change to the subscription itself that a held business must pay before making: its
    billing routes stay open so that it can pay, not so that it can move plans or cancel
    around an unpaid invoice. The code is the hold's, as the middleware's refusal."""

    status = 402
    code = "subscription_suspended"


def held_refusal(hold: str, business_name: str) -> BillingHeld:
    return BillingHeld(held_message(hold, business_name), code=f"subscription_{hold}")
