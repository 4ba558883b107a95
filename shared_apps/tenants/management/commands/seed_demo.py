"""Creates (once) the demo business that `make run` serves at demo.<PLATFORM_DOMAIN>."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shared_apps.tenants.selectors import tenant_by_slug
from shared_apps.tenants.services import SignupData, tenant_signup

DEMO = SignupData(
    business_name="Duka Demo Mini-Mart",
    slug="demo",
    owner_name="Amina Owner",
    owner_email="owner@demo.duka.test",
    password="demo-owner-pass-2026",  # noqa: S106  (published demo credentials)
    country="KE",
    currency="KES",
    time_zone="Africa/Nairobi",
)


class Command(BaseCommand):
    help = "Creates the demo business if it does not exist yet, and prints its credentials."

    def handle(self, *args: Any, **options: Any) -> None:
        if tenant_by_slug(DEMO.slug) is None:
            tenant_signup(data=DEMO, allow_reserved=True, strategy="clone")
            self.stdout.write(self.style.SUCCESS("Created the demo business."))
        else:
            self.stdout.write("The demo business already exists.")
        self.stdout.write(f"  owner login: {DEMO.owner_email} / {DEMO.password}")
