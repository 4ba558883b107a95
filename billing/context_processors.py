"""The banner a business's pages show while its subscription is behind (past due, suspended or
cancelled for an unpaid invoice), saying what happens and linking to its billing page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django_tenants.utils import get_public_schema_name

from billing.standing import banner_message


def billing_banner(request: HttpRequest) -> dict[str, Any]:
    # The routing middleware loaded the business from the host (no query here); the root
    # domain's pages have no business and no banner.
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return {}
    hold = getattr(request, "billing_hold", None)
    message = banner_message(str(tenant.status), hold, tenant.name)
    if message is None:
        return {}
    return {
        "billing_banner": {
            "status": str(tenant.status),
            "hold": hold or "",
            "message": message,
            "url": reverse("billing-page:account"),
        }
    }
