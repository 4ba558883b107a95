"""Suppliers, orders in every state, bills and a payment for the demo business.

Made through the real services, so the demo's stock, batches and payables are what real use
would produce. Runs inside the demo business's tenant context (it needs its currency and time
zone), after the catalog's demo products exist.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from saas_platform.tenancy import business_today
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location
from tenant_apps.purchasing.models import PurchaseOrder, Supplier
from tenant_apps.purchasing.services import (
    OrderLineInput,
    ReceiptLineInput,
    goods_receipt_create,
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_place,
    supplier_create,
    supplier_invoice_create,
    supplier_payment_record,
)

# (name, contact, phone, e-mail, payment terms, lead time)
SUPPLIERS = [
    ("Mombasa Wholesalers Ltd", "Hassan Ali", "+254711000101", "orders@mombasa-wh.test", 30, 5),
    ("Kisumu Millers", "Achieng Otieno", "+254722000202", "sales@kisumu-millers.test", 14, 3),
    ("Nakuru Dairy Co-op", "Peter Kiprop", "+254733000303", "", 7, 1),
    ("Thika Bottlers", "Grace Wambui", "+254744000404", "trade@thika-bottlers.test", 30, 4),
    ("Eldoret Farmers Union", "Joseph Rotich", "+254755000505", "", 0, 2),
    ("Nairobi Household Supplies", "Mary Njeri", "+254766000606", "hi@nhs.test", 45, 7),
]


@transaction.atomic
def seed_demo_purchasing() -> None:
    """Once: suppliers, purchase orders (draft to cancelled), two bills and a payment."""
    if Supplier.objects.exists():
        return
    products = list(
        Product.objects.filter(kind="stock", variant_of__isnull=True, variants__isnull=True)
        .distinct()
        .order_by("pk")[:6]
    )
    if not products:
        return  # nothing to buy yet; a later run, after the catalog is seeded, fills this in
    warehouse = Location.objects.get(kind="warehouse", is_default=True)
    suppliers = [
        supplier_create(
            name=name,
            contact_name=contact,
            phone=phone,
            email=email,
            payment_terms_days=terms,
            lead_time_days=lead,
        )
        for name, contact, phone, email, terms, lead in SUPPLIERS
    ]

    def order(supplier: Supplier, quantities: list[int]) -> PurchaseOrder:
        lines = [
            OrderLineInput(product_id=product.pk, quantity=Decimal(quantity))
            for product, quantity in zip(products, quantities, strict=False)
        ]
        return purchase_order_create(
            supplier_id=supplier.pk, destination_id=warehouse.pk, lines=lines, actor=None
        )

    def receive(placed: PurchaseOrder, share: Decimal, key: str) -> None:
        lines = [
            ReceiptLineInput(line_id=line.pk, quantity=line.quantity_ordered * share)
            for line in placed.lines.all()
        ]
        goods_receipt_create(
            order_id=placed.pk,
            lines=lines,
            actor=None,
            delivery_note=f"DN-{key}",
            idempotency_key=f"demo-{key}",
        )

    order(suppliers[5], [12, 6])  # still a draft
    purchase_order_place(order_id=order(suppliers[3], [24, 24, 12]).pk)  # ordered, on its way
    partly = purchase_order_place(order_id=order(suppliers[1], [40, 20]).pk)
    receive(partly, Decimal("0.5"), "partly")
    received = purchase_order_place(order_id=order(suppliers[0], [30, 30, 30, 10]).pk)
    receive(received, Decimal(1), "full")
    purchase_order_cancel(order_id=purchase_order_place(order_id=order(suppliers[4], [5]).pk).pk)

    today = business_today()
    delivered = sum(
        (line.unit_cost.amount * line.quantity_received for line in received.lines.all()),
        Decimal(0),
    ).quantize(Decimal("0.01"))
    full_bill = supplier_invoice_create(
        supplier_id=suppliers[0].pk,
        order_id=received.pk,
        number="MWL-2291",
        invoice_date=today - timedelta(days=40),
        # Products without a standard cost were received at zero; the bill still has a total.
        total=delivered or Decimal("12500.00"),
        actor=None,
    )
    supplier_payment_record(
        invoice_id=full_bill.pk,
        amount=(full_bill.total.amount / 2).quantize(Decimal("0.01")),
        method="mobile_money",
        reference="QKD4R7T9XZ",
        paid_on=today - timedelta(days=5),
        actor=None,
    )
    supplier_invoice_create(
        supplier_id=suppliers[1].pk,
        order_id=partly.pk,
        number="KM/0457",
        invoice_date=today - timedelta(days=3),
        total=Decimal("5400.00"),
        actor=None,
    )
