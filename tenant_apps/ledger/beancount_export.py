"""The books in beancount's plain-text format, for accountants who audit with its tools.

Account names are ``<Type>:<Name>`` (``Assets:CashDrawer``): beancount wants each component to
start with a capital letter or a digit and to hold only letters, digits and hyphens, so names
are turned into CamelCase words and, where two accounts would collide, suffixed with their code.
"""

from __future__ import annotations

import re
from datetime import date

from django.db.models import Min

from saas_platform.money import minor_unit_exponent
from tenant_apps.ledger.models import Account, AccountType, JournalEntry
from tenant_apps.ledger.selectors import entry_list

ROOTS = {
    AccountType.ASSET: "Assets",
    AccountType.LIABILITY: "Liabilities",
    AccountType.EQUITY: "Equity",
    AccountType.INCOME: "Income",
    AccountType.EXPENSE: "Expenses",
}


def _component(text: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", text)
    joined = "".join(word[:1].upper() + word[1:] for word in words)
    return joined or "Account"


def account_names(accounts: list[Account]) -> dict[int, str]:
    names: dict[int, str] = {}
    taken: dict[str, int] = {}
    for account in sorted(accounts, key=lambda a: a.code):
        name = f"{ROOTS[AccountType(account.type)]}:{_component(account.name)}"
        if name in taken:
            code = re.sub(r"[^A-Za-z0-9-]", "-", account.code).strip("-") or str(account.pk)
            name = f"{name}-{code}"
        taken[name] = account.pk
        names[account.pk] = name
    return names


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def books_as_beancount(*, currency: str, today: date) -> str:
    accounts = list(Account.objects.all())
    names = account_names(accounts)
    first = JournalEntry.objects.aggregate(first=Min("date"))["first"] or today
    places = minor_unit_exponent(currency)
    out = [f'option "operating_currency" "{currency}"', ""]
    for account in sorted(accounts, key=lambda a: a.code):
        out.append(f"{first:%Y-%m-%d} open {names[account.pk]} {currency}")
    out.append("")
    for entry in entry_list().order_by("date", "pk"):
        flag_line = f"{entry.date:%Y-%m-%d} * {_quoted(entry.memo)}"
        out.append(flag_line)
        out.append(f"  entry: {entry.pk}")
        out.append(f"  source: {_quoted(entry.source)}")
        for line in entry.lines.all():
            amount = line.debit.amount - line.credit.amount
            out.append(f"  {names[line.account_id]}  {amount:.{places}f} {currency}")
        out.append("")
    return "\n".join(out)
