"""What every receipt prints besides the sale (address lines, VAT number, phone, footer)."""

from __future__ import annotations

from django.db import transaction

from saas_platform.errors import ValidationFailed
from tenant_apps.sales.models import ReceiptSettings

MAX_LINES = 6


def receipt_settings_set(
    *, header: str, vat_number: str, phone: str, footer: str
) -> ReceiptSettings:
    for name, text in (("header", header), ("footer", footer)):
        if len([line for line in text.splitlines() if line.strip()]) > MAX_LINES:
            raise ValidationFailed.for_field(
                name, "too_many_lines", f"At most {MAX_LINES} lines: receipts are paper."
            )
    with transaction.atomic():
        settings, _ = ReceiptSettings.objects.update_or_create(
            pk=1,
            defaults={
                "header": header.strip(),
                "vat_number": vat_number.strip(),
                "phone": phone.strip(),
                "footer": footer.strip(),
            },
        )
    return settings
