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


def register_models() -> None:
    get = apps.get_model
    audit(get("tenants", "Tenant"), exclude=["last_activity_at"])
    audit(get("users", "User"), exclude=["password", "pin_hash", "last_login"])
    audit(get("staff", "ApiKey"), exclude=["secret_digest", "last_used_at"])
    for name in (
        "Category",
        "Brand",
        "Unit",
        "TaxRate",
        "Product",
        "Barcode",
        "PriceList",
        "ProductPrice",
    ):
        audit(get("catalog", name))
    # Stock levels change with every sale; their history is the permanent movement journal.
    for name in ("Location", "Transfer", "StockCount", "Reservation"):
        audit(get("inventory", name))
    for name in (
        "Supplier",
        "PurchaseOrder",
        "PurchaseOrderLine",
        "GoodsReceipt",
        "SupplierInvoice",
        "SupplierPayment",
    ):
        audit(get("purchasing", name))
    if apps.is_installed("tenant_apps.ledger"):
        for name in (
            "Account",
            "JournalEntry",
            "JournalLine",
            "Budget",
            "Expense",
            "LedgerSettings",
        ):
            audit(get("ledger", name))
    if apps.is_installed("tenant_apps.sales"):
        # Sales, tenders and returns are permanent records with their author and a journal
        # entry each; auditing them too would serialise every checkout on the audit chain.
        for name in (
            "Register",
            "Shift",
            "CashMovement",
            "Coupon",
            "SalesSettings",
            "ReceiptSettings",
        ):
            audit(get("sales", name))
