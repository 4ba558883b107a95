"""A receipt as a web page, a PDF, or bytes for a thermal printer (ESC/POS)."""

from __future__ import annotations

import io
import textwrap
import unicodedata
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import qrcode
from django.template.loader import render_to_string
from django.utils import timezone
from escpos.printer import Dummy
from moneyed import Money
from qrcode.image.svg import SvgPathImage
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from saas_platform.money import minor_unit_exponent
from tenant_apps.sales.receipts.data import ReceiptData

# Font A of an ESC/POS printer: 12 dots a character on 384 (58 mm) or 576 (80 mm) dots.
COLUMNS = {58: 32, 80: 48}


def amount_text(value: Money) -> str:
    places = minor_unit_exponent(str(value.currency))
    return f"{value.amount:,.{places}f}"


def quantity_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def rate_text(rate: Decimal) -> str:
    return f"{rate.normalize():f}%"


def issued_text(data: ReceiptData) -> str:
    """When the sale was made, as every format prints it: in the business's time zone, which
    ``issued_at`` already carries (formatting it never converts it again)."""
    return data.issued_at.strftime("%Y-%m-%d %H:%M")


def qr_svg(payload: str) -> str:
    image: Any = qrcode.make(payload, image_factory=SvgPathImage, box_size=8, border=2)
    return str(image.to_string(encoding="unicode"))


def qr_png(payload: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(payload, box_size=8, border=2).save(buffer)
    return buffer.getvalue()


def _context(data: ReceiptData) -> dict[str, Any]:
    return {
        "r": data,
        "issued": issued_text(data),
        "total": amount_text(data.total),
        "lines": [
            {
                "description": line.description,
                "quantity": quantity_text(line.quantity),
                "unit_price": amount_text(line.unit_price),
                "discount": amount_text(line.discount) if line.discount.amount else "",
                "total": amount_text(line.total),
            }
            for line in data.lines
        ],
        "totals": _totals(data),
        "tenders": [
            {
                "label": t.label,
                "amount": amount_text(t.amount),
                "tendered": amount_text(t.tendered) if t.tendered != t.amount else "",
                "reference": t.reference,
            }
            for t in data.tenders
        ],
        "change_due": amount_text(data.change_due) if data.change_due.amount else "",
        "qr_svg": qr_svg(data.qr_payload) if data.qr_payload else "",
    }


def _totals(data: ReceiptData) -> list[tuple[str, str]]:
    """The totals block, in the order it prints: net, discount, each VAT band, total."""
    rows = [("Subtotal (excl. tax)", amount_text(data.subtotal))]
    if data.discount_total.amount:
        rows.append(("Discount", f"-{amount_text(data.discount_total)}"))
    rows += [
        (f"VAT {rate_text(band.rate)} on {amount_text(band.net)}", amount_text(band.tax))
        for band in data.tax_bands
    ]
    if not data.tax_bands and data.tax_total.amount:
        rows.append(("Tax", amount_text(data.tax_total)))
    return rows


def render_html(data: ReceiptData) -> str:
    # Templates show times in the active time zone (UTC in a request for a page that no
    # signed-in person of the business opened); a receipt speaks the business's.
    with timezone.override(ZoneInfo(data.time_zone)):
        return render_to_string("sales/receipt.html", _context(data))


# --- plain text, the layout the printer and the PDF share -------------------------------------


def _ascii(text: str) -> str:
    # Thermal printers know a code page or two; accents fold to their letters rather than
    # printing as garbage, and anything else becomes "?".
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c if c.isprintable() else "?" for c in folded)


def _pair(left: str, right: str, width: int) -> list[str]:
    """``left`` and ``right`` on one line of ``width``, wrapping the left part if need be."""
    right = right[:width]
    room = width - len(right) - 1
    if room < 4:
        return [*textwrap.wrap(left, width), right.rjust(width)]
    parts = textwrap.wrap(left, room) or [""]
    last = parts[-1]
    return [*parts[:-1], f"{last}{' ' * (width - len(last) - len(right))}{right}"]


def text_layout(data: ReceiptData, width: int) -> list[tuple[str, str]]:
    """Lines of at most ``width`` characters, each with a style: title, center, bold or plain."""
    out: list[tuple[str, str]] = []

    def add(style: str, text: str) -> None:
        for line in textwrap.wrap(_ascii(text), width) or [""]:
            out.append((style, line))

    def pair(left: str, right: str, style: str = "plain") -> None:
        out.extend((style, line) for line in _pair(_ascii(left), _ascii(right), width))

    rule = "-" * width
    # The title prints at double width, so it gets half the columns.
    for title in textwrap.wrap(_ascii(data.business_name), width // 2) or [""]:
        out.append(("title", title))
    for text in data.header_lines:
        add("center", text)
    if data.phone:
        add("center", f"Tel: {data.phone}")
    if data.vat_number:
        add("center", f"VAT/PIN: {data.vat_number}")
    if data.voided:
        add("title", "VOIDED")
    out.append(("plain", rule))
    pair("Receipt", data.receipt_number)
    pair("Date", issued_text(data))
    pair("Till", data.register)
    if data.cashier:
        pair("Served by", data.cashier)
    if data.customer_name:
        pair("Customer", data.customer_name)
    out.append(("plain", rule))
    for line in data.lines:
        add("plain", line.description)
        pair(
            f"  {quantity_text(line.quantity)} x {amount_text(line.unit_price)}",
            amount_text(line.total),
        )
        if line.discount.amount:
            pair("  discount", f"-{amount_text(line.discount)}")
    out.append(("plain", rule))
    for label, value in _totals(data):
        pair(label, value)
    pair(f"TOTAL {data.currency}", amount_text(data.total), "bold")
    for tender in data.tenders:
        pair(tender.label, amount_text(tender.tendered))
        if tender.reference:
            pair("  ref", tender.reference)
    if data.change_due.amount:
        pair("Change", amount_text(data.change_due), "bold")
    if data.loyalty_points_balance is not None:
        out.append(("plain", rule))
        if data.loyalty_points_earned:
            pair("Points earned", str(data.loyalty_points_earned))
        pair("Points balance", str(data.loyalty_points_balance))
    if data.footer_lines:
        out.append(("plain", rule))
        for text in data.footer_lines:
            add("center", text)
    return out


def render_escpos(data: ReceiptData, width_mm: int = 80) -> bytes:
    if width_mm not in COLUMNS:
        raise ValueError(f"Receipt printers here are 58 or 80 mm wide, not {width_mm}.")
    width = COLUMNS[width_mm]
    printer = Dummy()
    printer.hw("INIT")
    for style, text in text_layout(data, width):
        if style == "title":
            printer.set(align="center", bold=True, double_width=True, double_height=True)
        elif style == "center":
            printer.set(align="center", bold=False, normal_textsize=True)
        elif style == "bold":
            printer.set(align="left", bold=True, normal_textsize=True)
        else:
            printer.set(align="left", bold=False, normal_textsize=True)
        printer.textln(text)
    printer.set(align="center", bold=False, normal_textsize=True)
    if data.qr_payload:
        printer.ln()
        # The printer draws the code itself (GS ( k): a few bytes instead of a raster image.
        printer.qr(data.qr_payload, native=True, size=5 if width_mm == 58 else 6)
        printer.textln("Scan for this receipt")
    printer.cut()
    return bytes(printer.output)


def render_pdf(data: ReceiptData) -> bytes:
    """An 80 mm wide page as long as the receipt, in the printer's monospaced layout."""
    width = COLUMNS[80]
    layout = text_layout(data, width)
    font_size = 7.0
    leading = font_size * 1.3
    margin = 4 * mm
    qr_size = 36 * mm if data.qr_payload else 0
    page_width = 80 * mm
    page_height = (
        2 * margin + leading * (len(layout) + 2) + qr_size + (font_size * 2 if qr_size else 0)
    )
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(page_width, page_height))
    canvas.setTitle(f"Receipt {data.receipt_number}")
    canvas.setAuthor(data.business_name)
    y = page_height - margin - leading
    for style, text in layout:
        if style == "title":
            canvas.setFont("Courier-Bold", font_size * 1.6)
            canvas.drawCentredString(page_width / 2, y, text)
            y -= leading * 0.6
        elif style == "center":
            canvas.setFont("Courier", font_size)
            canvas.drawCentredString(page_width / 2, y, text)
        else:
            canvas.setFont("Courier-Bold" if style == "bold" else "Courier", font_size)
            canvas.drawString(margin, y, text)
        y -= leading
    if data.qr_payload:
        y -= qr_size
        image = ImageReader(io.BytesIO(qr_png(data.qr_payload)))
        canvas.drawImage(image, (page_width - qr_size) / 2, y, qr_size, qr_size)
        canvas.setFont("Courier", font_size)
        canvas.drawCentredString(page_width / 2, y - leading, "Scan for this receipt")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
