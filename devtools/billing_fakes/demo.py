"""``python -m devtools.billing_fakes.demo`` (run by `make run` after ``seed_demo``): the demo
business's owner saves a payment method on the local billing fake's hosted page, and the trial's
invoice is written and paid by the real billing code (billing/demo.py). Once: a second run
changes nothing (the invoice exists; usage keys are fixed)."""

from __future__ import annotations

import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")
    import django

    django.setup()
    from billing.demo import seed_demo_billing
    from devtools.billing_fakes.owner import save_method_on_hosted_page
    from shared_apps.tenants.management.commands.seed_demo import DEMO, demo_billing_url
    from shared_apps.tenants.selectors import tenant_by_slug

    tenant = tenant_by_slug(DEMO.slug)
    if tenant is None:
        raise SystemExit("No demo business: run `manage.py seed_demo` first.")
    paid = seed_demo_billing(
        tenant, return_url=demo_billing_url(tenant), save_on_page=save_method_on_hosted_page
    )
    if paid is not None:
        print(f"Demo business billing: invoice {paid.number} {paid.status}, paid at the fakes.")


if __name__ == "__main__":
    main()
