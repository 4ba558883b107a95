"""Receipts of sales: the facts (``receipt_data``), their renderings, and e-mailing them."""

from tenant_apps.sales.receipts.data import ReceiptData, receipt_data, receipt_url
from tenant_apps.sales.receipts.mail import receipt_email
from tenant_apps.sales.receipts.render import render_escpos, render_html, render_pdf

__all__ = [
    "ReceiptData",
    "receipt_data",
    "receipt_email",
    "receipt_url",
    "render_escpos",
    "render_html",
    "render_pdf",
]
