"""Paths of our routes by name, as a client of each kind of host sends them.

A business's host and the root domain serve different URLconfs (docs/tenancy.md), and a bare
``reverse`` outside a request uses the business one: say which. Names are
``"<app>:<entity>-<action>"`` (docs/api.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def tenant_path(name: str, **kwargs: Any) -> str:
    """The path of route ``name`` on a business's host (``tenant_client``, ``owner_client``…)."""
    return reverse(name, kwargs=kwargs or None, urlconf=settings.ROOT_URLCONF)


def root_path(name: str, **kwargs: Any) -> str:
    """The path of route ``name`` on the root domain (``root_client``)."""
    return reverse(name, kwargs=kwargs or None, urlconf=settings.PUBLIC_SCHEMA_URLCONF)
