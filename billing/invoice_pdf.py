"""An invoice as an A4 PDF: who bills whom, the lines with their units and tiers, tax, total;
and a credit note in the same layout."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from billing.minor_units import from_minor
from billing.models import CreditNote, Invoice, InvoiceLine
from saas_platform.money import format_amount

SELLER = "Duka Platform Ltd"


def _amount(units: int, currency: str) -> str:
    return format_amount(from_minor(units, currency))


def _units(line: InvoiceLine) -> str:
    if not line.metric_code:
        return ""
    units = f"{line.units.normalize():f}"
    if line.free_units:
        units += f" ({line.free_units.normalize():f} free)"
    return units


def _tier_rows(line: InvoiceLine, currency: str) -> list[list[str]]:
    rows = []
    for tier in line.tiers:
        label = f"tier {tier['tier']}" if tier["tier"] else "rate"
        rows.append(
            [
                f"    {label}: {tier['units']} x {tier['unit_amount']}"
                + (f" + {tier['flat_amount']}" if tier["flat_amount"] not in ("0", "0.00") else ""),
                "",
                _amount(int(tier["amount_minor"]), currency),
            ]
        )
    return rows


def invoice_pdf(invoice: Invoice) -> bytes:
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Invoice {invoice.number or 'draft'}",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    currency = invoice.currency
    tenant = invoice.tenant
    head = [
        Paragraph(f"Invoice {escape(invoice.number or 'draft')}", styles["Title"]),
        Paragraph(
            f"From {SELLER} to {escape(tenant.name)} ({escape(tenant.slug)})", styles["Normal"]
        ),
        Paragraph(
            f"Issued {invoice.finalized_at or invoice.created_at:%Y-%m-%d} · status "
            f"{escape(invoice.get_status_display())} · amounts in {escape(currency)}",
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    rows: list[list[str]] = [["Description", "Units", "Amount"]]
    for line in invoice.lines.all():
        rows.append([line.description, _units(line), _amount(line.amount_minor, currency)])
        if len(line.tiers) > 1 or any(t["tier"] for t in line.tiers):
            rows += _tier_rows(line, currency)
    rows.append(["Subtotal", "", _amount(invoice.subtotal_minor, currency)])
    if invoice.tax_name:
        rate = f"{(invoice.tax_rate * 100).normalize():f} %"
        rows.append([f"{invoice.tax_name} {rate}", "", _amount(invoice.tax_minor, currency)])
    rows.append(["Total", "", _amount(invoice.total_minor, currency)])
    if invoice.credited_minor:
        rows.append(["Credit notes", "", "-" + _amount(invoice.credited_minor, currency)])
        rows.append(["Amount due", "", _amount(invoice.amount_due_minor, currency)])
    table = Table(rows, colWidths=[110 * mm, 30 * mm, 34 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ]
        )
    )
    document.build([*head, table])
    return buffer.getvalue()


def credit_note_pdf(note: CreditNote) -> bytes:
    """A credit note as an A4 PDF, in the invoice's layout: what it credits, why, how much."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Credit note {note.number}",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    tenant = note.tenant
    head = [
        Paragraph(f"Credit note {escape(note.number)}", styles["Title"]),
        Paragraph(
            f"From {SELLER} to {escape(tenant.name)} ({escape(tenant.slug)})", styles["Normal"]
        ),
        Paragraph(
            f"Issued {note.created_at:%Y-%m-%d} · credits invoice "
            f"{escape(note.invoice.number or '')} · amounts in {escape(note.currency)}",
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    rows = [
        ["Reason", "Amount"],
        [
            Paragraph(escape(note.reason), styles["Normal"]),
            _amount(note.amount_minor, note.currency),
        ],
        ["Credited", _amount(note.amount_minor, note.currency)],
    ]
    table = Table(rows, colWidths=[140 * mm, 34 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ]
        )
    )
    document.build([*head, table])
    return buffer.getvalue()
