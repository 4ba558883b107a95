"""Customers for the demo business: regulars, a few on credit, a wholesale buyer, payments.

Made through the real services inside the demo business's tenant context. Balances carried
over from the shop's paper book are booked as opening balances (Dr receivables, Cr owner's
equity), so the books and the customers' accounts agree from the first day.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from saas_platform.money import money
from saas_platform.tenancy import business_today
from tenant_apps.catalog.models import PriceList
from tenant_apps.customers.models import Customer
from tenant_apps.customers.services import (
    credit_charge,
    customer_create,
    customer_payment_receive,
    loyalty_earn,
)
from tenant_apps.ledger.posting import PostingLine, entry_post

# (name, phone, credit limit, terms in days, owed from the paper book, wholesale, note)
CUSTOMERS = [
    ("Wanjiku Mwangi", "0712000101", "5000", 30, "1800", False, "Buys for the family weekly"),
    ("Otieno Odhiambo", "0722000202", "10000", 14, "6400", False, "Pays at month end"),
    ("Akinyi Atieno", "0733000303", "0", 30, "0", False, ""),
    ("Kamau Hardware & Kiosk", "0744000404", "50000", 30, "23500", True, "Resells; wholesale"),
    ("Mama Mboga (Njeri)", "0755000505", "3000", 7, "950", False, "Market stall next door"),
    ("Hassan Abdi", "0766000606", "0", 30, "0", False, ""),
    ("Chebet Kiprono", "0777000707", "2000", 30, "0", False, ""),
    ("St. Mary's School Canteen", "0788000808", "80000", 30, "41250", True, "Invoice monthly"),
    ("Mutua Musyoka", "0799000909", "0", 30, "0", False, ""),
    ("Grace Wambui", "0110001010", "4000", 30, "3100", False, ""),
    ("Peter Kiprop", "0111001111", "0", 30, "0", False, "Loyalty regular"),
    ("Fatuma Ali", "0112001212", "1500", 14, "0", False, ""),
]
# Days since each carried-over balance fell due, so the overdue report has something to age
# (negative: not due yet).
DUE_DAYS_AGO = {
    "Wanjiku Mwangi": -10,
    "Otieno Odhiambo": 20,
    "Kamau Hardware & Kiosk": 45,
    "Mama Mboga (Njeri)": 5,
    "St. Mary's School Canteen": 75,
    "Grace Wambui": 100,
}


@transaction.atomic
def seed_demo_customers() -> None:
    """Once: a dozen customers, their carried-over balances, two payments and some points."""
    if Customer.objects.exists():
        return
    wholesale = PriceList.objects.filter(code="wholesale").first()
    today = business_today()
    made: dict[str, Customer] = {}
    for name, phone, limit, terms, owed, is_wholesale, note in CUSTOMERS:
        customer = customer_create(
            name=name,
            phone=phone,
            credit_limit=money(limit),
            payment_terms_days=terms,
            price_list_id=wholesale.pk if (is_wholesale and wholesale) else None,
            note=note,
        )
        made[name] = customer
        if Decimal(owed) > 0:
            entry = credit_charge(
                customer_id=customer.pk,
                amount=money(owed),
                reference="Opening balance",
                due_on=today - timedelta(days=DUE_DAYS_AGO.get(name, 0)),
                key=f"demo-opening:{customer.code}",
            )
            entry_post(
                date=today,
                memo=f"Opening balance of {customer.name} ({customer.code}) from the paper book",
                lines=[
                    PostingLine("accounts_receivable", debit=Decimal(owed)),
                    PostingLine("owner_equity", credit=Decimal(owed)),
                ],
                source="customer_opening_balance",
                reference=str(entry.pk),
            )
    customer_payment_receive(
        customer_id=made["Otieno Odhiambo"].pk,
        amount=money("2500"),
        method="mpesa",
        reference="SKD1DEMO01",
        key="demo-payment:1",
    )
    customer_payment_receive(
        customer_id=made["Kamau Hardware & Kiosk"].pk,
        amount=money("10000"),
        method="bank_transfer",
        reference="EFT 88231",
        key="demo-payment:2",
    )
    for name, spend in [("Peter Kiprop", "18450"), ("Wanjiku Mwangi", "7300")]:
        loyalty_earn(customer_id=made[name].pk, spend=money(spend), reference="Demo history")
