"""Billing's tables, all in the public schema.

Public tables never point into a business's schema: they keep the tenant row (public too),
never a row of the business's own tables.
"""

from billing.models.catalog import (
    FALLBACK_CURRENCY,
    PLAN_CURRENCIES,
    Aggregation,
    BillableMetric,
    Charge,
    ChargeModel,
    ChargePrice,
    Feature,
    Interval,
    Limit,
    Plan,
    PlanPrice,
)
from billing.models.collection import (
    AttemptStatus,
    BillingAccount,
    GatewayEvent,
    PaymentAttempt,
    ReconciliationMismatch,
    UsageSnapshot,
)
from billing.models.invoices import (
    OPEN_INVOICE_STATUSES,
    CreditNote,
    DocumentSequence,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    TaxRate,
)
from billing.models.subscriptions import (
    AdjustmentKind,
    Subscription,
    SubscriptionAdjustment,
    SubscriptionStatus,
)
from billing.models.usage import UsageEvent

__all__ = [
    "FALLBACK_CURRENCY",
    "OPEN_INVOICE_STATUSES",
    "PLAN_CURRENCIES",
    "AdjustmentKind",
    "Aggregation",
    "AttemptStatus",
    "BillableMetric",
    "BillingAccount",
    "Charge",
    "ChargeModel",
    "ChargePrice",
    "CreditNote",
    "DocumentSequence",
    "Feature",
    "GatewayEvent",
    "Interval",
    "Invoice",
    "InvoiceLine",
    "InvoiceStatus",
    "Limit",
    "LineKind",
    "PaymentAttempt",
    "Plan",
    "PlanPrice",
    "ReconciliationMismatch",
    "Subscription",
    "SubscriptionAdjustment",
    "SubscriptionStatus",
    "TaxRate",
    "UsageEvent",
    "UsageSnapshot",
]
