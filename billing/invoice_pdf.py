"""An invoice as an A4 PDF: who bills whom, the lines with their units and tiers, tax, total;
and a credit note in the same layout."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from billing.minor_units import from_minor
from billing.models import CreditNote, Invoice, InvoiceLine
from saas_platform.money import format_amount
from shared_apps.tenants.models import Tenant

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


def _document(
    *, title: str, tenant_line: str, issued_line: str, rows: list[list[Any]], widths: list[float]
) -> bytes:
    """One A4 page in the layout both documents share: a title, who bills whom, when and in
    what, then a table whose first row is the header and last row the total."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    head = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph(tenant_line, styles["Normal"]),
        Paragraph(issued_line, styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    table = Table(rows, colWidths=widths, repeatRows=1)
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


def _billed(tenant: Tenant) -> str:
    return f"From {SELLER} to {escape(tenant.name)} ({escape(tenant.slug)})"


def invoice_pdf(invoice: Invoice) -> bytes:
    currency = invoice.currency
    rows: list[list[Any]] = [["Description", "Units", "Amount"]]
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
    return _document(
        title=f"Invoice {invoice.number or 'draft'}",
        tenant_line=_billed(invoice.tenant),
        issued_line=(
            f"Issued {invoice.finalized_at or invoice.created_at:%Y-%m-%d} · status "
            f"{escape(invoice.get_status_display())} · amounts in {escape(currency)}"
        ),
        rows=rows,
        widths=[110 * mm, 30 * mm, 34 * mm],
    )


def credit_note_pdf(note: CreditNote) -> bytes:
    """A credit note as an A4 PDF, in the invoice's layout: what it credits, why, how much."""
    amount = _amount(note.amount_minor, note.currency)
    reason = Paragraph(escape(note.reason), getSampleStyleSheet()["Normal"])
    return _document(
        title=f"Credit note {note.number}",
        tenant_line=_billed(note.tenant),
        issued_line=(
            f"Issued {note.created_at:%Y-%m-%d} · credits invoice "
            f"{escape(note.invoice.number or '')} · amounts in {escape(note.currency)}"
        ),
        rows=[["Reason", "Amount"], [reason, amount], ["Credited", amount]],
        widths=[140 * mm, 34 * mm],
    )
