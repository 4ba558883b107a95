"""What a business sees of its own billing: its plan and what the plan allows against what it
has, its usage this period priced so far, and an estimate of its next invoice.

Reads only. The figures come from the code that bills: usage lines and the estimate are
priced by billing/invoice_draft.py (the billing run's own draft), limits are counted by
billing/usage_counts.py (what ``require`` checks), so what the business sees here is what it
will be invoiced for the same usage.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal

from moneyed import Money

from billing.gateways.registry import gateway_name_for_currency
from billing.invoice_draft import InvoiceDraft, invoice_draft, usage_lines
from billing.invoice_lines import LineDraft
from billing.models import Feature, Limit, Plan, Subscription, SubscriptionStatus
from billing.pricing import ChargeTerms, charge_terms
from billing.selectors import billing_account_of, plan_list, plan_price, subscription_of
from billing.usage_counts import in_use
from saas_platform.errors import NotFound
from shared_apps.tenants.models import Tenant


@dataclass(frozen=True)
class LimitUse:
    code: str
    name: str
    allowed: int | None  # None: unlimited
    in_use: int


@dataclass(frozen=True)
class FeatureIncluded:
    code: str
    name: str
    included: bool


@dataclass(frozen=True)
class PaymentMethod:
    """What the owner may see of the saved method: never the gateway's token or customer."""

    saved: bool
    kind: str
    label: str  # "Visa •••• 4242", "M-Pesa •••• 0123"


@dataclass(frozen=True)
class PricedPlan:
    """A plan with its base fee in the subscription's currency (None: not sold in it)."""

    plan: Plan
    price: Money | None


@dataclass(frozen=True)
class SubscriptionOverview:
    subscription: Subscription
    plan: PricedPlan
    pending_plan: PricedPlan | None
    limits: list[LimitUse]
    features: list[FeatureIncluded]
    gateway: str
    payment_method: PaymentMethod


def _subscription(tenant: Tenant) -> Subscription:
    subscription = subscription_of(tenant)
    if subscription is None:
        raise NotFound(f"{tenant.name} has no subscription.", code="no_subscription")
    return subscription


def limits_in_use() -> dict[str, int]:
    """How many of each limited thing the business whose schema the connection is on has."""
    return {limit.value: in_use(limit) for limit in Limit}


def plan_limits(plan: Plan, counts: dict[str, int]) -> list[LimitUse]:
    return [
        LimitUse(
            code=limit.value,
            name=str(limit.label),
            allowed=plan.limit(limit),
            in_use=counts[limit.value],
        )
        for limit in Limit
    ]


def plan_features(plan: Plan) -> list[FeatureIncluded]:
    return [
        FeatureIncluded(code=f.value, name=str(f.label), included=plan.has_feature(f))
        for f in Feature
    ]


def subscription_overview(*, tenant: Tenant) -> SubscriptionOverview:
    """``tenant``'s subscription as its owner sees it. Counts run in the schema the connection
    is on, which must be ``tenant``'s (a request on its host)."""
    subscription = _subscription(tenant)
    account = billing_account_of(tenant)
    gateway = account.gateway if account else gateway_name_for_currency(subscription.currency)
    method = PaymentMethod(
        saved=bool(account and account.has_method),
        kind=account.method_kind if account and account.has_method else "",
        label=account.method_label if account and account.has_method else "",
    )
    return SubscriptionOverview(
        subscription=subscription,
        plan=PricedPlan(subscription.plan, plan_price(subscription.plan, subscription.currency)),
        pending_plan=(
            PricedPlan(pending, plan_price(pending, subscription.currency))
            if (pending := subscription.pending_plan) is not None
            else None
        ),
        limits=plan_limits(subscription.plan, limits_in_use()),
        features=plan_features(subscription.plan),
        gateway=gateway,
        payment_method=method,
    )


@dataclass
class UsageLine(LineDraft):
    """A usage line as the invoice will have it, with the charge's free units per period
    (``free_units`` is how many of them this usage took)."""

    included: Decimal = Decimal(0)


@dataclass(frozen=True)
class UsageSoFar:
    currency: str
    start: datetime
    end: datetime
    # A trial's usage is free: measured here for the owner to see, but not charged.
    charged: bool
    lines: list[UsageLine]

    @property
    def amount_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines) if self.charged else 0


def usage_so_far(*, tenant: Tenant, now: datetime) -> UsageSoFar:
    """The usage not invoiced yet (from the last invoice to ``now``), one line per charge of
    the current plan, priced as the invoice will price it."""
    subscription = _subscription(tenant)
    start = subscription.usage_from or subscription.current_period_start
    end = max(now, start)
    included = {
        charge.metric.code: charge.free_units
        for charge in subscription.plan.charges.select_related("metric")
    }
    priced = usage_lines(
        tenant=tenant,
        plan=subscription.plan,
        currency=subscription.currency,
        start=start,
        end=end,
    )
    return UsageSoFar(
        currency=subscription.currency,
        start=start,
        end=end,
        charged=subscription.status != SubscriptionStatus.TRIALING,
        lines=[
            UsageLine(**asdict(line), included=included.get(line.metric_code, Decimal(0)))
            for line in priced
        ],
    )


def upcoming_invoice(*, tenant: Tenant, now: datetime) -> InvoiceDraft:
    """The invoice the billing run will write at the subscription's next boundary, with the
    usage measured until ``now``: worked out on a copy of the subscription, written nowhere.
    NotFound when no invoice is coming (the subscription is cancelled)."""
    # Its own copy: the draft rolls the subscription into the next period in memory, and
    # nothing must be saved.
    subscription = _subscription(tenant)
    if subscription.next_invoice_at is None:
        raise NotFound(
            "No invoice is coming: the subscription is cancelled.", code="no_upcoming_invoice"
        )
    return invoice_draft(subscription, subscription.next_invoice_at, measured_until=now)


@dataclass(frozen=True)
class PricedCharge:
    metric_code: str
    metric_name: str
    terms: ChargeTerms


@dataclass(frozen=True)
class PlanOffer:
    plan: Plan
    price: Money | None
    current: bool
    limits: list[LimitUse]
    features: list[FeatureIncluded]
    charges: list[PricedCharge]


def plan_offers(*, tenant: Tenant) -> list[PlanOffer]:
    """The active plans priced in the business's billing currency, its own plan marked, each
    limit with what the business has now (so the owner sees what a downgrade would not fit)."""
    subscription = _subscription(tenant)
    currency = subscription.currency
    counts = limits_in_use()
    offers = []
    for plan in plan_list(active_only=True):
        charges = []
        for charge in plan.charges.all():
            if any(price.currency == currency for price in charge.prices.all()):
                charges.append(
                    PricedCharge(
                        metric_code=charge.metric.code,
                        metric_name=charge.metric.name,
                        terms=charge_terms(charge, currency),
                    )
                )
        offers.append(
            PlanOffer(
                plan=plan,
                price=plan_price(plan, currency),
                current=plan.pk == subscription.plan_id,
                limits=plan_limits(plan, counts),
                features=plan_features(plan),
                charges=charges,
            )
        )
    return offers
