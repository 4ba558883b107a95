"""A customer's statement as spreadsheet rows or as a printable PDF."""

from __future__ import annotations

import io
from datetime import datetime
from xml.sax.saxutils import escape

from moneyed import Money
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from saas_platform.money import format_amount
from saas_platform.tenancy import current_business, local_date
from tenant_apps.customers.models import CreditEntry, CreditKind
from tenant_apps.customers.selectors import Statement

HEADER = ["date", "kind", "reference", "due_on", "charge", "credit", "balance"]


def _local(moment: datetime) -> str:
    return f"{local_date(moment):%Y-%m-%d}"


def _sides(entry: CreditEntry) -> tuple[str, str]:
    amount = entry.amount
    if amount.amount > 0:
        return format_amount(amount), ""
    return "", format_amount(Money(-amount.amount, amount.currency))


def _row(entry: CreditEntry) -> list[str]:
    charge, credit = _sides(entry)
    return [
        _local(entry.created_at),
        CreditKind(entry.kind).label,
        entry.reference or entry.note,
        f"{entry.due_on:%Y-%m-%d}" if entry.due_on else "",
        charge,
        credit,
        format_amount(entry.balance_after),
    ]


def statement_rows(report: Statement) -> list[list[str]]:
    start = f"{report.start:%Y-%m-%d}"
    end = f"{report.end:%Y-%m-%d}"
    rows = [HEADER, [start, "Opening balance", "", "", "", "", format_amount(report.opening)]]
    rows += [_row(entry) for entry in report.entries]
    rows.append([end, "Closing balance", "", "", "", "", format_amount(report.closing)])
    return rows


def statement_pdf(report: Statement) -> bytes:
    """A4, one table. Uncompressed: statements are small, and their text stays searchable."""
    buffer = io.BytesIO()
    customer = report.customer
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Statement {customer.code} {report.start:%Y-%m-%d} to {report.end:%Y-%m-%d}",
        pageCompression=0,
        invariant=1,
    )
    styles = getSampleStyleSheet()
    currency = str(report.closing.currency)
    details = [customer.name, f"Account {customer.code}"]
    details += [value for value in (customer.phone, customer.email) if value]
    story = [
        Paragraph(escape(current_business().name), styles["Title"]),
        Paragraph("Customer statement", styles["Heading2"]),
        Paragraph("<br/>".join(escape(line) for line in details), styles["Normal"]),
        Paragraph(
            f"Period {report.start:%d %b %Y} to {report.end:%d %b %Y}; amounts in {currency}",
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    rows = [[cell.replace("_", " ") if i == 0 else cell for i, cell in enumerate(HEADER)]]
    rows += statement_rows(report)[1:]
    widths = [22 * mm, 32 * mm, 40 * mm, 22 * mm, 22 * mm, 22 * mm, 22 * mm]
    table = Table(rows, repeatRows=1, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (4, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 6 * mm),
        Paragraph(
            f"<b>Closing balance: {currency} {format_amount(report.closing)}</b>"
            + (" (store credit)" if report.closing.amount < 0 else ""),
            styles["Normal"],
        ),
    ]
    document.build(story)
    return buffer.getvalue()
