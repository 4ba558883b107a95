"""Pages of a business's site: the home page and the till (the terminal) with its service worker."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.csrf import ensure_csrf_cookie

from saas_platform.tenancy import current_business
from tenant_apps.inventory.selectors import location_list
from tenant_apps.staff.access import Action
from tenant_apps.staff.page_access import page_allows

STATIC_DIR = Path(__file__).resolve().parent / "static"
SHELL_DIR = STATIC_DIR / "terminal"
SCOPE = "/terminal/"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "terminal/home.html",
        {
            "tenant": current_business(),
            "locations": location_list(active_only=True),
            # Links to the pages the person's role may open.
            "may_forecast": page_allows(request, Action.FORECASTING_VIEW),
            "may_bill": page_allows(request, Action.BILLING_VIEW),
        },
    )


@login_required
@ensure_csrf_cookie  # the page's scripts send the CSRF cookie's token with every API write
def terminal(request: HttpRequest) -> HttpResponse:
    # Nothing here depends on who is signed in: the service worker keeps this page to start
    # the till offline, and the scripts ask the API who is at the till.
    # Every module is announced up front (modulepreload), so the browser fetches them side by
    # side instead of discovering each import only after its importer has arrived.
    modules = [
        static(p.relative_to(STATIC_DIR).as_posix()) for p in _shell_files() if p.suffix == ".js"
    ]
    context = {"tenant": current_business(), "modules": modules}
    response = render(request, "terminal/terminal.html", context)
    response["Cache-Control"] = "no-cache"
    return response


def _shell_files() -> list[Path]:
    return sorted(path for path in SHELL_DIR.rglob("*") if path.is_file())


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the terminal's own path so that its scope is the
    terminal. Its cache name carries a digest of the shell's files and page template: any
    change installs a new worker, which replaces the old cache."""
    files = _shell_files()
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(STATIC_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    template = Path(__file__).resolve().parent / "templates" / "terminal" / "terminal.html"
    digest.update(template.read_bytes())
    assets = [SCOPE] + [static(path.relative_to(STATIC_DIR).as_posix()) for path in files]
    body = render_to_string(
        "terminal/sw.js",
        {
            "version": digest.hexdigest()[:16],
            "assets": json.dumps(assets),
            "scope": SCOPE,
            "static_prefix": f"{settings.STATIC_URL}terminal/",
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = SCOPE
    # Browsers check for a new worker on navigation; a cached script would delay updates.
    response["Cache-Control"] = "no-cache"
    return response
