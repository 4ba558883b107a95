"""The default chart of accounts, as plain data that migrations may import as well."""

from __future__ import annotations

# (code, name, type, role). Codes follow the usual numbering (1 assets, 2 liabilities, 3 equity,
# 4 income, 5 cost of sales, 6 operating expenses) so an accountant finds their way at once.
DEFAULT_CHART: list[tuple[str, str, str, str]] = [
    ("1000", "Cash drawer", "asset", "cash_drawer"),
    ("1010", "Bank", "asset", "bank"),
    ("1020", "M-Pesa clearing", "asset", "mpesa_clearing"),
    ("1030", "Airtel Money clearing", "asset", "airtel_clearing"),
    ("1040", "Card clearing", "asset", "card_clearing"),
    ("1100", "Accounts receivable", "asset", "accounts_receivable"),
    ("1200", "Inventory", "asset", "inventory"),
    ("1300", "VAT receivable", "asset", "vat_receivable"),
    ("2000", "Accounts payable", "liability", "accounts_payable"),
    ("2100", "VAT payable", "liability", "vat_payable"),
    ("3000", "Owner's equity", "equity", "owner_equity"),
    ("3100", "Retained earnings", "equity", "retained_earnings"),
    ("4000", "Sales revenue", "income", "sales_revenue"),
    # Contra-income: debited, so they show as reductions of income.
    ("4100", "Discounts given", "income", "discounts"),
    ("4200", "Sales returns", "income", "sales_returns"),
    ("5000", "Cost of goods sold", "expense", "cost_of_goods_sold"),
    ("5100", "Stock shrinkage", "expense", "shrinkage"),
    ("6000", "Rent", "expense", "expense_rent"),
    ("6100", "Utilities", "expense", "expense_utilities"),
    ("6200", "Wages", "expense", "expense_wages"),
    ("6300", "Transport", "expense", "expense_transport"),
    ("6900", "Other expenses", "expense", "expense_other"),
]
