"""Receipts of real checkouts: every format, the public page, e-mail, and who may see what."""

from __future__ import annotations

import base64
import re
import uuid
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from devtools.payments_sandbox import Sandbox, start_sandbox
from shared_apps.tenants.models import Tenant
from tenant_apps.catalog.models import Product, TaxRate
from tenant_apps.customers.services import customer_create
from tenant_apps.inventory.models import Location
from tenant_apps.notifications.tasks import receipt_email as receipt_email_task
from tenant_apps.payments.seeding import sandbox_accounts_install
from tenant_apps.sales.models import ReceiptSettings, Register, Sale
from tests.support.outbox import run_waiting_tasks, waiting_tasks
from tests.support.sales import cart, checkout
from tests.support.urls import tenant_path

ESC, GS = 0x1B, 0x1D


@pytest.fixture
def soap(
    business: Tenant, make_product: Callable[..., Product], store: Location, receive: Any
) -> Product:
    with schema_context(business.schema_name):
        vat = TaxRate.objects.create(name="VAT 16", rate=Decimal("16"))
    product = make_product(name="Bar Soap", price="116.00", cost="60", tax_rate=vat)
    receive(product, store, "20", cost="60")
    return product


@pytest.fixture
def cash_sale(till: Register, open_shift: int, cashier_client: Client, soap: Product) -> str:
    """Two soaps at 116.00 (16% VAT included), paid with 250 in cash: 18.00 change."""
    response = checkout(
        cashier_client, cart(till, (soap.pk, "2"), tenders=[{"method": "cash", "amount": "250"}])
    )
    assert response.status_code == 201, response.content
    return str(response.json()["uuid"])


@pytest.fixture
def receipt_settings(owner_client: Client) -> None:
    response = owner_client.put(
        tenant_path("sales:receipt-settings-detail"),
        {
            "header": "Moi Avenue 12\nNairobi",
            "vat_number": "P051234567X",
            "phone": "+254 700 000 000",
            "footer": "Asante sana!",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def receipt(client: Client, sale_uuid: str, fmt: str) -> Any:
    return client.get(tenant_path("sales:sale-receipt", sale_uuid=sale_uuid), {"format": fmt})


def escpos_text_lines(data: bytes) -> list[str]:
    """The printed text of ESC/POS bytes, one entry a printed line, commands left out."""
    text = bytearray()
    i = 0
    while i < len(data):
        byte = data[i]
        if byte == ESC:
            i += 2 if data[i + 1 : i + 2] == b"@" else 3  # ESC @, or ESC x n
        elif byte == GS and data[i + 1 : i + 3] == b"(k":
            i += 5 + data[i + 3] + 256 * data[i + 4]  # GS ( k pL pH + the data
        elif byte == GS and data[i + 1 : i + 2] == b"V":
            i += 3
        elif byte == GS:
            i += 3  # GS ! n
        else:
            text.append(byte)
            i += 1
    return text.decode("ascii").split("\n")


def pdf_text(data: bytes) -> str:
    """The text drawn on a PDF's pages (reportlab writes its streams ASCII85 over Flate)."""
    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            out.append(
                zlib.decompress(base64.a85decode(stream.strip(), adobe=True)).decode("latin-1")
            )
        except (ValueError, zlib.error):
            continue  # an image
    return "\n".join(out)


def test_json_receipt_has_the_facts(
    business: Tenant, cash_sale: str, cashier_client: Client, receipt_settings: None
) -> None:
    response = receipt(cashier_client, cash_sale, "json")

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["business_name"] == "Alpha Traders"
    assert data["header_lines"] == ["Moi Avenue 12", "Nairobi"]
    assert data["vat_number"] == "P051234567X"
    assert data["receipt_number"] == "T1-000001"
    assert data["cashier"] == "Cashier Person"
    assert data["time_zone"] == "Africa/Nairobi"
    assert data["issued_at"].endswith("+03:00")
    assert data["lines"] == [
        {
            "description": "Bar Soap",
            "quantity": "2.000",
            "unit_price": {"amount": "116.00", "currency": "KES"},
            "discount": {"amount": "0.00", "currency": "KES"},
            "total": {"amount": "232.00", "currency": "KES"},
            "tax_rate": "16.000",
        }
    ]
    assert data["subtotal"]["amount"] == "200.00"
    assert data["tax_bands"] == [
        {
            "rate": "16.000",
            "net": {"amount": "200.00", "currency": "KES"},
            "tax": {"amount": "32.00", "currency": "KES"},
        }
    ]
    assert data["total"]["amount"] == "232.00"
    assert data["change_due"]["amount"] == "18.00"
    [tender] = data["tenders"]
    assert (tender["method"], tender["tendered"]["amount"], tender["change"]["amount"]) == (
        "cash",
        "250.00",
        "18.00",
    )
    link = urlsplit(data["qr_payload"])
    assert link.netloc.startswith(f"{business.slug}.")
    assert link.path.startswith(f"/r/{cash_sale}/")  # the printed address, spelled out


def test_html_receipt_is_a_printable_page_with_a_qr_code(
    cash_sale: str, cashier_client: Client, receipt_settings: None
) -> None:
    response = receipt(cashier_client, cash_sale, "html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for fact in ("Alpha Traders", "T1-000001", "232.00", "Cash", "250.00", "18.00", "P051234567X"):
        assert fact in page
    assert "VAT 16% on 200.00" in page
    assert "<svg" in page
    assert "Asante sana!" in page


def test_pdf_receipt_is_80mm_with_the_facts_and_the_qr_image(
    cash_sale: str, cashier_client: Client
) -> None:
    response = receipt(cashier_client, cash_sale, "pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    media_box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", response.content)
    assert media_box is not None
    assert abs(float(media_box.group(1)) - 80 / 25.4 * 72) < 0.1  # 80 mm in points
    assert b"/Subtype /Image" in response.content
    text = pdf_text(response.content)
    for fact in ("Alpha Traders", "T1-000001", "232.00", "Cash", "250.00", "18.00"):
        assert fact in text


@pytest.mark.parametrize(("fmt", "columns"), [("escpos58", 32), ("escpos80", 48)])
def test_escpos_receipt_fits_the_paper_and_prints_a_native_qr_then_cuts(
    business: Tenant, cash_sale: str, cashier_client: Client, fmt: str, columns: int
) -> None:
    response = receipt(cashier_client, cash_sale, fmt)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    data = response.content
    assert data.startswith(b"\x1b@")
    assert b"\x1d(k" in data
    assert f"/r/{cash_sale}/".encode() in data  # the QR's content travels to the printer
    assert b"\x1dV" in data[-8:]
    lines = escpos_text_lines(data)
    assert max(len(line) for line in lines) <= columns
    assert "Alpha Traders" in lines
    assert any("T1-000001" in line for line in lines)
    total = next(line for line in lines if line.startswith("TOTAL KES"))
    assert total.endswith("232.00") and len(total) == columns
    assert any(line.startswith("Cash") and line.endswith("250.00") for line in lines)
    assert any(line.startswith("Change") and line.endswith("18.00") for line in lines)


def test_long_names_wrap_within_58mm(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Any,
) -> None:
    long = make_product(name="Extra long premium basmati rice (5 kg family pack)", price="1234.5")
    receive(long, store, "10")
    with schema_context(business.schema_name):
        Tenant.objects.filter(pk=business.pk).update(name="Wanjiru's Über Mini-Supermarket Ltd")
    sale = checkout(cashier_client, cart(till, (long.pk, "3")))
    assert sale.status_code == 201, sale.content

    data = receipt(cashier_client, sale.json()["uuid"], "escpos58").content

    lines = escpos_text_lines(data)
    assert max(len(line) for line in lines) <= 32
    assert any(line.endswith("3,703.50") for line in lines)
    assert "Uber" in " ".join(lines)  # folded to what a thermal printer can print


def test_public_page_needs_no_login_and_shows_only_the_receipt(
    business: Tenant,
    cash_sale: str,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
) -> None:
    link = receipt(cashier_client, cash_sale, "json").json()["qr_payload"]
    anonymous = tenant_client(business)

    response = anonymous.get(urlsplit(link).path)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Alpha Traders" in page and "T1-000001" in page and "232.00" in page
    assert not re.search(r"[\w.+-]+@[\w-]+\.", page)  # no e-mail address of the cashier
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    # The API itself still wants credentials.
    assert anonymous.get(tenant_path("sales:sale-receipt", sale_uuid=cash_sale)).status_code == 401
    assert anonymous.post(urlsplit(link).path).status_code == 405


def test_public_page_is_404_without_the_right_link(
    business: Tenant,
    cash_sale: str,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
) -> None:
    link = urlsplit(receipt(cashier_client, cash_sale, "json").json()["qr_payload"]).path
    token = link.rstrip("/").rsplit("/", 1)[1]
    anonymous = tenant_client(business)

    page = "terminal:receipt-page"
    assert anonymous.get(tenant_path(page, sale_uuid=uuid.uuid4(), token=token)).status_code == 404
    wrong_token = tenant_path(page, sale_uuid=cash_sale, token="0" * len(token))
    assert anonymous.get(wrong_token).status_code == 404
    # A link cut short: no route has this path.
    assert anonymous.get(f"/r/{cash_sale}/").status_code == 404
    unknown = tenant_path(page, sale_uuid=uuid.uuid4(), token=uuid.uuid4().hex[:24])
    assert anonymous.get(unknown).status_code == 404


def test_another_business_cannot_see_the_receipt(
    cash_sale: str,
    cashier_client: Client,
    make_tenant: Callable[..., Tenant],
    tenant_client: Callable[[Tenant], Client],
    jwt_client: Callable[[Tenant, str], Client],
) -> None:
    link = urlsplit(receipt(cashier_client, cash_sale, "json").json()["qr_payload"]).path
    attacker = make_tenant(business_name="Beta Stores")
    attacker_owner = jwt_client(attacker, attacker.owner_email)

    assert tenant_client(attacker).get(link).status_code == 404
    for fmt in ("json", "html", "pdf", "escpos80"):
        assert receipt(attacker_owner, cash_sale, fmt).status_code == 404
    email = attacker_owner.post(
        tenant_path("sales:sale-receipt-email", sale_uuid=cash_sale),
        {"to": "thief@example.com"},
        content_type="application/json",
    )
    assert email.status_code == 404
    assert mail.outbox == []


def test_parked_sale_has_no_receipt_yet(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
    soap: Product,
) -> None:
    parked = checkout(cashier_client, cart(till, (soap.pk, "1"), tenders=[], park=True))
    assert parked.status_code == 201, parked.content
    sale_uuid = parked.json()["uuid"]

    for fmt in ("json", "html", "pdf", "escpos58"):
        response = receipt(cashier_client, sale_uuid, fmt)
        assert response.status_code == 409
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "no_receipt_yet"
    email = cashier_client.post(
        tenant_path("sales:sale-receipt-email", sale_uuid=sale_uuid),
        {"to": "a@example.com"},
        content_type="application/json",
    )
    assert email.status_code == 409
    assert mail.outbox == []
    with schema_context(business.schema_name):
        from tenant_apps.sales.receipts.data import receipt_link_token

        token = receipt_link_token(business, sale_uuid)
    page = tenant_path("terminal:receipt-page", sale_uuid=sale_uuid, token=token)
    assert tenant_client(business).get(page).status_code == 404


def test_unknown_sale_and_unknown_format(cash_sale: str, cashier_client: Client) -> None:
    assert receipt(cashier_client, str(uuid.uuid4()), "json").status_code == 404
    bad = receipt(cashier_client, cash_sale, "docx")
    assert bad.status_code == 400
    assert "format" in bad.json()["error"]["fields"]


def test_voided_sale_receipt_says_so(
    cash_sale: str, owner_client: Client, tenant_client: Callable[[Tenant], Client],
    business: Tenant,
) -> None:  # fmt: skip
    voided = owner_client.post(
        tenant_path("sales:sale-void", sale_uuid=cash_sale),
        {"reason": "Rang up twice"},
        content_type="application/json",
    )
    assert voided.status_code == 200, voided.content

    link = urlsplit(receipt(owner_client, cash_sale, "json").json()["qr_payload"]).path
    page = tenant_client(business).get(link)

    assert page.status_code == 200
    assert "VOIDED" in page.content.decode()
    assert b"VOIDED" in receipt(owner_client, cash_sale, "escpos80").content


def test_email_sends_the_page_with_the_pdf_attached(cash_sale: str, cashier_client: Client) -> None:
    response = cashier_client.post(
        tenant_path("sales:sale-receipt-email", sale_uuid=cash_sale),
        {"to": "  mteja@example.com "},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"sent_to": "mteja@example.com"}
    assert mail.outbox == []  # queued for the notifications worker, not sent in the request
    [queued] = waiting_tasks("notifications.receipt_email")
    assert run_waiting_tasks("notifications.receipt_email") == 1
    with schema_context(queued.schema_name):
        receipt_email_task.run(*queued.args)  # the same message delivered twice: one e-mail
    [message] = mail.outbox
    assert message.to == ["mteja@example.com"]
    assert "T1-000001" in message.subject and "Alpha Traders" in message.subject
    assert "232.00" in message.body
    [(html, mimetype)] = message.alternatives  # type: ignore[attr-defined]
    assert mimetype == "text/html" and "T1-000001" in str(html)
    [(filename, content, content_type)] = message.attachments
    assert (filename, content_type) == ("receipt-T1-000001.pdf", "application/pdf")
    assert content.startswith(b"%PDF")


@pytest.mark.parametrize("to", ["not-an-address", "", "a@b", "x@example.com\nBcc: y@example.com"])
def test_email_to_a_bad_address_is_400_and_sends_nothing(
    cash_sale: str, cashier_client: Client, to: str
) -> None:
    response = cashier_client.post(
        tenant_path("sales:sale-receipt-email", sale_uuid=cash_sale),
        {"to": to},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "to" in response.json()["error"]["fields"]
    assert waiting_tasks() == []
    assert mail.outbox == []


def test_customer_and_points_on_the_receipt(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    make_product: Callable[..., Product],
    store: Location,
    receive: Any,
) -> None:
    oil = make_product(name="Cooking Oil", price="500")
    receive(oil, store, "5")
    with schema_context(business.schema_name):
        customer = customer_create(name="Achieng Otieno", phone="0722000111")
    sale = checkout(cashier_client, cart(till, (oil.pk, "2"), customer=customer.pk))
    assert sale.status_code == 201, sale.content

    data = receipt(cashier_client, sale.json()["uuid"], "json").json()

    assert data["customer_name"] == "Achieng Otieno"
    # The default programme: a point per 100 spent.
    assert (data["loyalty_points_earned"], data["loyalty_points_balance"]) == (10, 10)
    text = receipt(cashier_client, sale.json()["uuid"], "escpos80").content
    assert b"Points balance" in text and b"Achieng Otieno" in text


def test_receipt_settings_are_a_managers_and_are_checked(
    business: Tenant, owner_client: Client, cashier_client: Client
) -> None:
    refused = cashier_client.put(
        tenant_path("sales:receipt-settings-detail"),
        {"footer": "x"},
        content_type="application/json",
    )
    too_long = owner_client.put(
        tenant_path("sales:receipt-settings-detail"),
        {"footer": "\n".join(f"line {n}" for n in range(7))},
        content_type="application/json",
    )

    assert refused.status_code == 403
    assert too_long.status_code == 400
    assert "footer" in too_long.json()["error"]["fields"]
    with schema_context(business.schema_name):
        assert not ReceiptSettings.objects.exists()
    assert owner_client.get(tenant_path("sales:receipt-settings-detail")).json()["footer"] == ""


# --- M-Pesa: the receipt carries Safaricom's receipt number ----------------------------------


@pytest.fixture
def daraja(business: Tenant) -> Iterator[Sandbox]:
    server = start_sandbox(port=0, deliver=False)
    with schema_context(business.schema_name):
        sandbox_accounts_install(server.url)
    try:
        yield server
    finally:
        server.stop()


def test_mpesa_receipt_number_is_printed_once_paid(
    business: Tenant,
    till: Register,
    open_shift: int,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
    daraja: Sandbox,
    soap: Product,
    django_capture_on_commit_callbacks: Any,
) -> None:
    body = cart(
        till, (soap.pk, "1"), tenders=[{"method": "mpesa", "amount": "116", "payer": "0712345670"}]
    )
    with django_capture_on_commit_callbacks(execute=True):
        sold = checkout(cashier_client, body)
    assert sold.status_code == 201, sold.content
    sale_uuid = sold.json()["uuid"]
    assert receipt(cashier_client, sale_uuid, "json").status_code == 409  # awaiting payment

    [callback] = daraja.callbacks("mpesa")
    delivered = tenant_client(business).post(
        urlsplit(callback["url"]).path, callback["body"], content_type="application/json"
    )
    assert delivered.status_code == 200

    with schema_context(business.schema_name):
        payment = Sale.objects.get(uuid=sale_uuid).tenders.get().payment
    assert payment is not None and payment.receipt
    mpesa_receipt = payment.receipt
    data = receipt(cashier_client, sale_uuid, "json").json()
    assert [(t["method"], t["reference"]) for t in data["tenders"]] == [("mpesa", mpesa_receipt)]
    assert mpesa_receipt.encode() in receipt(cashier_client, sale_uuid, "escpos58").content


def test_html_receipt_prints_the_business_time_like_json_and_escpos(
    business: Tenant,
    cash_sale: str,
    cashier_client: Client,
    tenant_client: Callable[[Tenant], Client],
) -> None:
    # 21:30 UTC is 00:30 the next day in Nairobi: a page printing UTC shows the wrong day too.
    with schema_context(business.schema_name):
        Sale.objects.filter(uuid=cash_sale).update(
            completed_at=datetime(2026, 3, 9, 21, 30, tzinfo=UTC)
        )
    link = urlsplit(receipt(cashier_client, cash_sale, "json").json()["qr_payload"]).path

    pages = {
        "api": receipt(cashier_client, cash_sale, "html").content.decode(),
        "qr link": tenant_client(business).get(link).content.decode(),
    }

    for where, page in pages.items():
        assert "2026-03-10 00:30" in page, where
        assert "2026-03-09 21:30" not in page, where
    assert (
        receipt(cashier_client, cash_sale, "json")
        .json()["issued_at"]
        .startswith("2026-03-10T00:30:00+03:00")
    )
    printed = escpos_text_lines(receipt(cashier_client, cash_sale, "escpos80").content)
    assert any(line.startswith("Date") and line.endswith("2026-03-10 00:30") for line in printed)
