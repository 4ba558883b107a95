"""Back-office pages of a business's site."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from saas_platform.tenancy import current_business
from tenant_apps.inventory.selectors import location_list


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "terminal/home.html",
        {"tenant": current_business(), "locations": location_list(active_only=True)},
    )
