"""A receipt by e-mail: the page as the body, the PDF attached."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email

from saas_platform.errors import DukaError, ValidationFailed
from tenant_apps.sales.models import Sale
from tenant_apps.sales.receipts.data import receipt_data
from tenant_apps.sales.receipts.render import render_html, render_pdf, text_layout

logger = logging.getLogger(__name__)


class EmailNotSent(DukaError):
    code = "email_not_sent"
    status = 502
    default_message = "The mail server did not take the e-mail; try again later."


def receipt_email(*, sale: Sale, to: str) -> None:
    """Sends now, not after commit: it is a person's explicit request, and they want to hear
    whether it went. Nothing is written, so there is no transaction to wait for."""
    to = to.strip()
    try:
        validate_email(to)
    except DjangoValidationError:
        raise ValidationFailed.for_field("to", "invalid", "Enter a valid e-mail address.") from None
    data = receipt_data(sale)
    body = "\n".join(text for _, text in text_layout(data, 48))
    message = EmailMultiAlternatives(
        subject=f"Your receipt {data.receipt_number} from {data.business_name}",
        body=f"{body}\n\n{data.qr_payload}\n",
        to=[to],
    )
    message.attach_alternative(render_html(data), "text/html")
    message.attach(f"receipt-{data.receipt_number}.pdf", render_pdf(data), "application/pdf")
    try:
        message.send()
    except OSError as error:  # smtplib's errors are OSErrors
        logger.warning("receipt e-mail for sale %s failed: %s", sale.uuid, error)
        raise EmailNotSent() from error
