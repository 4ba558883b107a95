"""Which models the audit trail follows, and the one helper every app registers through."""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.registry import auditlog
from django.apps import apps
from django.db import models

# Never recorded, on any model: secrets, and columns that change on their own (timestamps the
# database or a middleware refreshes) and would bury real changes in noise.
ALWAYS_EXCLUDED = ("updated_at",)


def audit(model: type[models.Model], exclude: Iterable[str] = ()) -> None:
    """Records creates, updates and deletes of ``model`` in the audit trail.

    Generated columns are left out by themselves: after a save Django has not read their new
    value yet, so auditlog would compare the stale one (Product.search_document).
    """
    generated = [
        f.name for f in model._meta.concrete_fields if isinstance(f, models.GeneratedField)
    ]
    fields = {f.name for f in model._meta.concrete_fields}
    excluded = [name for name in (*exclude, *ALWAYS_EXCLUDED, *generated) if name in fields]
    auditlog.register(model, exclude_fields=sorted(set(excluded)))


# The models each app has audited, by app label. Stock levels change with every sale; their
# history is the permanent movement journal. Sales, tenders and returns are permanent records
# with their author and a journal entry each; auditing them too would serialise every checkout
# on the audit chain.
AUDITED_MODELS = {
    "catalog": (
        "Category",
        "Brand",
        "Unit",
        "TaxRate",
        "Product",
        "Barcode",
        "PriceList",
        "ProductPrice",
    ),
    "inventory": ("Location", "Transfer", "StockCount", "Reservation"),
    "purchasing": (
        "Supplier",
        "PurchaseOrder",
        "PurchaseOrderLine",
        "GoodsReceipt",
        "SupplierInvoice",
        "SupplierPayment",
    ),
    "ledger": ("Account", "JournalEntry", "JournalLine", "Budget", "Expense", "LedgerSettings"),
    "sales": ("Register", "Shift", "CashMovement", "Coupon", "SalesSettings", "ReceiptSettings"),
}
# Apps whose models are registered only when the app is installed.
OPTIONAL_APPS = ("ledger", "sales")


def register_models() -> None:
    get = apps.get_model
    audit(get("tenants", "Tenant"), exclude=["last_activity_at"])
    audit(get("users", "User"), exclude=["password", "pin_hash", "last_login"])
    audit(get("staff", "ApiKey"), exclude=["secret_digest", "last_used_at"])
    for label, names in AUDITED_MODELS.items():
        if label in OPTIONAL_APPS and not apps.is_installed(f"tenant_apps.{label}"):
            continue
        for name in names:
            audit(get(label, name))
