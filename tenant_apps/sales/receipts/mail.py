"""A receipt by e-mail: the page as the body, the PDF attached.

The request only checks the address and queues the e-mail (``notifications.receipt_email``,
through the outbox, on the notifications queue); a worker builds and sends it, once, and the
business's notification log records how it went (docs/notifications.md)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from saas_platform.errors import ValidationFailed
from tenant_apps.notifications.kinds import Channel, Kind
from tenant_apps.notifications.models import Notification
from tenant_apps.notifications.providers.email import EmailContent
from tenant_apps.notifications.queueing import RECEIPT_EMAIL, notification_task_queue
from tenant_apps.notifications.services import notification_send
from tenant_apps.sales.models import Sale
from tenant_apps.sales.receipts.data import receipt_data
from tenant_apps.sales.receipts.render import render_html, render_pdf, text_layout


def receipt_email(*, sale: Sale, to: str) -> str:
    """Queues the receipt of ``sale`` to ``to`` once this transaction commits; the address it
    goes to. Each request is its own e-mail (a second request sends a second copy)."""
    to = to.strip()
    try:
        validate_email(to)
    except DjangoValidationError:
        raise ValidationFailed.for_field("to", "invalid", "Enter a valid e-mail address.") from None
    notification_task_queue(RECEIPT_EMAIL, args=[str(sale.uuid), to, uuid.uuid4().hex])
    return to


def receipt_email_content(sale: Sale) -> EmailContent:
    data = receipt_data(sale)
    body = "\n".join(text for _, text in text_layout(data, 48))
    return EmailContent(
        subject=f"Your receipt {data.receipt_number} from {data.business_name}",
        text=f"{body}\n\n{data.qr_payload}\n",
        html=render_html(data),
        attachments=[
            (f"receipt-{data.receipt_number}.pdf", render_pdf(data), "application/pdf"),
        ],
    )


def receipt_email_send(*, sale_uuid: str, to: str, request_id: str) -> str:
    """The queued receipt e-mail, sent once per request; its status in the log."""
    sale = Sale.objects.filter(uuid=sale_uuid).first()
    if sale is None:
        return "no_sale"
    row: Notification = notification_send(
        kind=Kind.RECEIPT,
        channel=Channel.EMAIL,
        event=f"sale:{sale.uuid}:{request_id}",
        target=f"to:{to}",
        recipient=to,
        content=receipt_email_content(sale),
    )
    return str(row.status)
