"""The receipt page a customer reaches by scanning the QR code: no login, read only."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from saas_platform.tenancy import current_business
from tenant_apps.sales.models import SaleStatus
from tenant_apps.sales.receipts.data import receipt_data, receipt_link_valid
from tenant_apps.sales.receipts.render import render_html
from tenant_apps.sales.selectors import sale_detail

SHOWN_STATUSES = (SaleStatus.COMPLETED, SaleStatus.VOIDED)


@require_safe
def receipt_page(request: HttpRequest, sale_uuid: UUID, token: str) -> HttpResponse:
    # A wrong token and an unknown sale look the same, so the page tells a prober nothing.
    if not receipt_link_valid(current_business(), str(sale_uuid), token):
        raise Http404("No such receipt.")
    sale = sale_detail(str(sale_uuid))
    if sale is None or sale.status not in SHOWN_STATUSES:
        raise Http404("No such receipt.")
    response = HttpResponse(render_html(receipt_data(sale)))
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-cache"
    return response
