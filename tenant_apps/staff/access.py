"""The permission matrix: what each role may do, and which API-key scope grants each action.

Every permission check of the API goes through ``role_allows`` or ``scope_allows``, asked by the
API kit's one check (saas_platform/api/permissions.py); nothing else decides who may do what.
"""

from __future__ import annotations

from enum import StrEnum

from shared_apps.users.models import Role


class Action(StrEnum):
    BUSINESS_VIEW = "business.view"
    BUSINESS_MANAGE = "business.manage"
    STAFF_VIEW = "staff.view"
    STAFF_MANAGE = "staff.manage"
    API_KEYS_MANAGE = "api_keys.manage"
    CATALOG_VIEW = "catalog.view"
    CATALOG_MANAGE = "catalog.manage"
    # Cost prices and what stock cost (margins, valuation): not for the till.
    CATALOG_VIEW_COSTS = "catalog.view_costs"
    INVENTORY_VIEW = "inventory.view"
    INVENTORY_MANAGE = "inventory.manage"
    PURCHASING_VIEW = "purchasing.view"
    PURCHASING_MANAGE = "purchasing.manage"
    SALES_SELL = "sales.sell"
    SALES_REFUND = "sales.refund"
    SALES_VIEW = "sales.view"
    # Selling below the list price and cancelling a finished sale are a manager's call.
    SALES_OVERRIDE_PRICE = "sales.override_price"
    SALES_VOID = "sales.void"
    SALES_MANAGE = "sales.manage"  # registers and coupons
    # Demand forecasts and reorder suggestions; training one (minutes of CPU) is a decision.
    FORECASTING_VIEW = "forecasting.view"
    FORECASTING_RUN = "forecasting.run"
    # Each cashier's voids, refunds, discounts, overrides and no-sales against the norm: the
    # owner's, since a manager's own voids are among what it watches.
    SALES_ANOMALIES = "sales.anomalies"
    CUSTOMERS_VIEW = "customers.view"
    CUSTOMERS_MANAGE = "customers.manage"
    LEDGER_VIEW = "ledger.view"
    LEDGER_MANAGE = "ledger.manage"
    REPORTS_VIEW = "reports.view"
    AUDIT_VIEW = "audit.view"
    # The business's own Duka subscription: what it pays us, its invoices, its plan and the
    # payment method. Reading it is the books' business too; changing it, the owner's alone.
    BILLING_VIEW = "billing.view"
    BILLING_MANAGE = "billing.manage"
    # A person's own notification preferences (every role; never an API key: keys are not people).
    NOTIFICATIONS_PREFERENCES = "notifications.preferences"
    # The business's notification log: who was told what, by which channel, and whether it went.
    NOTIFICATIONS_LOG_VIEW = "notifications.view_log"
    # The business's own notification settings: its quiet hours and its credit reminders.
    NOTIFICATIONS_MANAGE = "notifications.manage"


A = Action

_EVERYTHING = frozenset(Action)
# What an analyst reads: every area's figures, costs included, but not staff, keys or the audit.
_READ_THE_FIGURES = frozenset(
    {
        A.BUSINESS_VIEW,
        A.CATALOG_VIEW,
        A.INVENTORY_VIEW,
        A.PURCHASING_VIEW,
        A.SALES_VIEW,
        A.CUSTOMERS_VIEW,
        A.LEDGER_VIEW,
        A.REPORTS_VIEW,
        A.CATALOG_VIEW_COSTS,
        A.FORECASTING_VIEW,
    }
)

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.OWNER: _EVERYTHING,
    Role.MANAGER: _EVERYTHING
    - {
        A.BUSINESS_MANAGE,
        A.API_KEYS_MANAGE,
        A.LEDGER_MANAGE,
        A.BILLING_VIEW,
        A.BILLING_MANAGE,
        A.SALES_ANOMALIES,
    },
    Role.CASHIER: frozenset(
        {
            A.BUSINESS_VIEW,
            A.CATALOG_VIEW,
            A.INVENTORY_VIEW,
            A.SALES_SELL,
            A.CUSTOMERS_VIEW,
            A.NOTIFICATIONS_PREFERENCES,
        }
    ),
    Role.WAREHOUSE: frozenset(
        {
            A.BUSINESS_VIEW,
            A.CATALOG_VIEW,
            A.INVENTORY_VIEW,
            A.INVENTORY_MANAGE,
            A.PURCHASING_VIEW,
            A.PURCHASING_MANAGE,
            A.CATALOG_VIEW_COSTS,
            A.FORECASTING_VIEW,
            A.NOTIFICATIONS_PREFERENCES,
        }
    ),
    Role.ACCOUNTANT: _READ_THE_FIGURES
    | {A.LEDGER_MANAGE, A.AUDIT_VIEW, A.BILLING_VIEW, A.NOTIFICATIONS_PREFERENCES},
    Role.ANALYST: _READ_THE_FIGURES | {A.NOTIFICATIONS_PREFERENCES},
}

# Roles only an owner may hand out or take away: a manager must not be able to promote
# themselves or lock the owner out.
PRIVILEGED_ROLES = frozenset({Role.OWNER, Role.MANAGER})

# API keys act for integrations, not people: an action they can reach needs the matching scope.
# Actions missing here (staff, keys, business settings, the business's own billing) are never
# open to a key.
ACTION_SCOPES: dict[Action, str] = {
    A.BUSINESS_VIEW: "business:read",
    A.CATALOG_VIEW: "catalog:read",
    A.CATALOG_MANAGE: "catalog:write",
    # A key that may set cost prices may read them; a read-only key (a web shop) sees what a
    # cashier sees.
    A.CATALOG_VIEW_COSTS: "catalog:write",
    A.INVENTORY_VIEW: "inventory:read",
    A.INVENTORY_MANAGE: "inventory:write",
    A.PURCHASING_VIEW: "purchasing:read",
    A.PURCHASING_MANAGE: "purchasing:write",
    A.SALES_VIEW: "sales:read",
    A.SALES_SELL: "sales:write",
    A.SALES_REFUND: "sales:write",
    A.SALES_OVERRIDE_PRICE: "sales:write",
    A.SALES_VOID: "sales:write",
    A.SALES_MANAGE: "sales:write",
    A.CUSTOMERS_VIEW: "customers:read",
    A.CUSTOMERS_MANAGE: "customers:write",
    A.LEDGER_VIEW: "ledger:read",
    A.LEDGER_MANAGE: "ledger:write",
    A.REPORTS_VIEW: "reports:read",
    A.AUDIT_VIEW: "audit:read",
    A.FORECASTING_VIEW: "forecasting:read",
}

SCOPES: frozenset[str] = frozenset(ACTION_SCOPES.values())


def role_allows(role: str, action: Action) -> bool:
    return action in ROLE_ACTIONS.get(role, frozenset())


def scope_allows(scopes: list[str] | tuple[str, ...], action: Action) -> bool:
    scope = ACTION_SCOPES.get(action)
    if scope is None:
        return False
    # A write scope includes reading the same area.
    area = scope.split(":")[0]
    return scope in scopes or (scope.endswith(":read") and f"{area}:write" in scopes)


def allowed_actions(role: str) -> list[str]:
    return sorted(str(action) for action in ROLE_ACTIONS.get(role, frozenset()))
