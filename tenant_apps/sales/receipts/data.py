"""What a receipt says, gathered once from the sale, so every format prints the same facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from moneyed import Money

from saas_platform.tenancy import business_zone, current_business
from shared_apps.tenants.links import tenant_url
from shared_apps.tenants.models import Tenant
from tenant_apps.sales.models import ReceiptSettings, Sale, SaleStatus, TenderStatus

ZERO = Decimal(0)
_LINK_SALT = "duka.sales.receipt-link"


@dataclass(frozen=True)
class ReceiptLine:
    description: str
    quantity: Decimal
    unit_price: Money
    discount: Money
    total: Money
    tax_rate: Decimal


@dataclass(frozen=True)
class TaxBand:
    rate: Decimal
    net: Money
    tax: Money


@dataclass(frozen=True)
class ReceiptTender:
    method: str
    label: str
    amount: Money
    tendered: Money
    change: Money
    reference: str  # the provider's receipt number (an M-Pesa code), when there is one


@dataclass(frozen=True)
class ReceiptData:
    business_name: str
    header_lines: list[str]
    vat_number: str
    phone: str
    footer_lines: list[str]
    register: str
    receipt_number: str
    sale_uuid: str
    status: str
    issued_at: datetime  # in the business's time zone
    time_zone: str
    cashier: str
    currency: str
    prices_include_tax: bool
    lines: list[ReceiptLine]
    subtotal: Money  # net of tax, before discounts
    discount_total: Money
    tax_bands: list[TaxBand]
    tax_total: Money
    total: Money
    paid_total: Money
    change_due: Money
    tenders: list[ReceiptTender]
    customer_name: str = ""
    loyalty_points_earned: int | None = None
    loyalty_points_balance: int | None = None
    qr_payload: str = ""
    voided: bool = False
    note: str = ""


def receipt_link_token(tenant: Tenant, sale_uuid: str) -> str:
    """The part of a receipt link that nobody can guess.

    Sale UUIDs are made by the till or an integration, so nothing guarantees they are random
    (a UUIDv1 is a timestamp and a MAC address); the token is what keeps the public page
    private. It names the schema, so a link works only on its own business's host.
    """
    return salted_hmac(
        _LINK_SALT, f"{tenant.schema_name}:{sale_uuid}", algorithm="sha256"
    ).hexdigest()[:24]


def receipt_link_valid(tenant: Tenant, sale_uuid: str, token: str) -> bool:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    value = f"{tenant.schema_name}:{sale_uuid}"
    # Printed QR codes outlive a key rotation as long as the old key stays a fallback.
    return any(
        constant_time_compare(
            token,
            salted_hmac(_LINK_SALT, value, secret=secret, algorithm="sha256").hexdigest()[:24],
        )
        for secret in secrets
    )


def receipt_url(tenant: Tenant, sale_uuid: str) -> str:
    """The receipt's link for a message or a QR code: absolute, on the business's host."""
    token = receipt_link_token(tenant, sale_uuid)
    return tenant_url(tenant, "terminal:receipt-page", sale_uuid=sale_uuid, token=token)


def receipt_path(tenant: Tenant, sale_uuid: str) -> str:
    """The receipt's link for a page already on the business's host (whatever its port)."""
    token = receipt_link_token(tenant, sale_uuid)
    return reverse("terminal:receipt-page", kwargs={"sale_uuid": sale_uuid, "token": token})


def receipt_settings() -> ReceiptSettings:
    return ReceiptSettings.objects.filter(pk=1).first() or ReceiptSettings(pk=1)


def _lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def receipt_data(sale: Sale) -> ReceiptData:
    """The receipt of a finished (or voided) sale. The caller checks the status."""
    tenant = current_business()
    options = receipt_settings()
    currency = str(sale.total.currency)
    moment = sale.completed_at or sale.created_at
    lines = list(sale.lines.all())
    bands: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for line in lines:
        net, tax = bands.get(line.tax_rate, (ZERO, ZERO))
        bands[line.tax_rate] = (net + line.net.amount, tax + line.tax.amount)
    tenders = [
        ReceiptTender(
            method=tender.method,
            label=tender.get_method_display(),
            amount=tender.amount,
            tendered=tender.tendered,
            change=tender.change,
            # Our payment's receipt, or the provider's id of money the customer sent unasked
            # (a paybill payment matched to the sale).
            reference=tender.receipt_reference,
        )
        for tender in sale.tenders.select_related("payment").order_by("pk")
        if tender.status == TenderStatus.SETTLED
    ]
    earned, balance = _loyalty(sale)
    cashier = sale.cashier.full_name if sale.cashier_id and sale.cashier else sale.sold_via
    return ReceiptData(
        business_name=tenant.name,
        header_lines=_lines_of(options.header),
        vat_number=options.vat_number,
        phone=options.phone,
        footer_lines=_lines_of(options.footer),
        register=sale.register.name,
        receipt_number=sale.receipt_label,
        sale_uuid=str(sale.uuid),
        status=sale.status,
        issued_at=moment.astimezone(business_zone()),
        time_zone=tenant.time_zone,
        cashier=cashier,
        currency=currency,
        prices_include_tax=sale.prices_include_tax,
        lines=[
            ReceiptLine(
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                total=line.gross,
                tax_rate=line.tax_rate,
            )
            for line in lines
        ],
        subtotal=sale.subtotal,
        discount_total=sale.discount_total,
        tax_bands=[
            TaxBand(rate=rate, net=Money(net, currency), tax=Money(tax, currency))
            for rate, (net, tax) in sorted(bands.items())
            if rate > 0
        ],
        tax_total=sale.tax_total,
        total=sale.total,
        paid_total=sale.paid_total,
        change_due=sale.change_due,
        tenders=tenders,
        customer_name=sale.customer.name if sale.customer_id and sale.customer else "",
        loyalty_points_earned=earned,
        loyalty_points_balance=balance,
        qr_payload=receipt_url(tenant, str(sale.uuid)),
        voided=sale.status == SaleStatus.VOIDED,
        note=sale.note,
    )


def _loyalty(sale: Sale) -> tuple[int | None, int | None]:
    if not sale.customer_id or sale.customer is None:
        return None, None
    from tenant_apps.customers.models import LoyaltyEntry

    entry = (
        LoyaltyEntry.objects.filter(
            customer_id=sale.customer_id, reference=str(sale.uuid), reason="earned"
        )
        .order_by("pk")
        .first()
    )
    if entry is None:
        return None, sale.customer.loyalty_points
    # The balance right after this sale, so a reprint next month says what the first print said.
    return entry.points, entry.balance_after
