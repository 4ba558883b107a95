"""Creates (once) the demo business that `make run` serves at demo.<PLATFORM_DOMAIN>."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context, tenant_context

from billing.demo import seed_demo_billing
from billing.selectors import subscription_of
from billing.services.subscriptions import subscription_change_plan
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.selectors import tenant_by_slug
from shared_apps.tenants.services import SignupData, tenant_domain_for, tenant_signup
from shared_apps.users.models import Role, User
from tenant_apps.catalog.demo import seed_demo_catalog
from tenant_apps.customers.demo import seed_demo_customers
from tenant_apps.forecasting.demo import seed_demo_history
from tenant_apps.inventory.demo import seed_demo_stock
from tenant_apps.payments.seeding import sandbox_accounts_install
from tenant_apps.purchasing.demo import seed_demo_purchasing
from tenant_apps.sales.demo import seed_demo_sales
from tenant_apps.staff.services import staff_create, staff_set_own_pin

# Published demo credentials: the demo business holds nothing worth protecting.
DEMO = SignupData(
    business_name="Duka Demo Mini-Mart",
    slug="demo",
    owner_name="Amina Owner",
    owner_email="owner@demo.duka.test",
    password="demo-owner-pass-2026",  # noqa: S106
    country="KE",
    currency="KES",
    time_zone="Africa/Nairobi",
)
DEMO_STAFF = [
    (Role.MANAGER, "Baraka Manager"),
    (Role.CASHIER, "Chebet Cashier"),
    (Role.WAREHOUSE, "Daudi Warehouse"),
    (Role.ACCOUNTANT, "Esther Accountant"),
    (Role.ANALYST, "Faraji Analyst"),
]
DEMO_CASHIER_PIN = "2580"
DEMO_PLAN = "growth"


def demo_billing_url(tenant: Tenant) -> str:
    """Where the gateway's hosted page sends the demo owner back."""
    return f"http://{tenant_domain_for(tenant.slug)}/billing/"


def demo_email(role: str) -> str:
    return f"{role}@demo.duka.test"


def demo_password(role: str) -> str:
    return f"demo-{role}-pass-2026"


class Command(BaseCommand):
    help = "Creates the demo business and one user per role if missing; prints the credentials."

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = tenant_by_slug(DEMO.slug)
        if tenant is None:
            tenant = tenant_signup(data=DEMO, allow_reserved=True, strategy="clone")
            self.stdout.write(self.style.SUCCESS("Created the demo business."))
        # Growth: its six staff, two tills and API keys are more than the trial's Starter allows.
        subscription = subscription_of(tenant)
        if subscription is not None and subscription.plan.code != DEMO_PLAN:
            subscription_change_plan(tenant=tenant, plan_code=DEMO_PLAN)
        self._seed_staff(tenant)
        # The real tenant, not just its schema: money and "today" need its currency and zone.
        with tenant_context(tenant):
            seed_demo_catalog()
            seed_demo_stock(actor=User.objects.get(email=DEMO.owner_email))
            seed_demo_purchasing()
            seed_demo_customers()
            # Points M-Pesa, Airtel, card and UPI at the local sandbox when one is configured.
            sandbox_accounts_install()
            seed_demo_sales(
                cashier=User.objects.get(email=demo_email(Role.CASHIER)),
                others=[
                    User.objects.get(email=demo_email(Role.MANAGER)),
                    User.objects.get(email=DEMO.owner_email),
                ],
            )
            # Two years from "the previous system", after the first sales: the import ends
            # the day before them. Queues the first training for `make run`'s worker.
            seed_demo_history()
        self._seed_billing(tenant)
        self.stdout.write("Demo business logins (e-mail / password):")
        self.stdout.write(f"  {'owner':<11} {DEMO.owner_email} / {DEMO.password}")
        for role, _name in DEMO_STAFF:
            self.stdout.write(f"  {role:<11} {demo_email(role)} / {demo_password(role)}")
        self.stdout.write(f"  cashier PIN for quick switching: {DEMO_CASHIER_PIN}")

    def _seed_billing(self, tenant: Tenant) -> None:
        # Usage this period. `make run` then has the owner save M-Pesa at the local billing
        # fakes and pay the trial's invoice (python -m devtools.billing_fakes.demo).
        seed_demo_billing(tenant, return_url=demo_billing_url(tenant), save_on_page=None)

    def _seed_staff(self, tenant: Tenant) -> None:
        with schema_context(tenant.schema_name):
            owner = User.objects.get(email=DEMO.owner_email)
            for role, name in DEMO_STAFF:
                if User.objects.filter(email=demo_email(role)).exists():
                    continue
                user = staff_create(
                    actor=owner,
                    tenant=tenant,
                    email=demo_email(role),
                    full_name=name,
                    role=role,
                    password=demo_password(role),
                )
                if role == Role.CASHIER:
                    # The demo stands in for the cashier choosing their own PIN.
                    staff_set_own_pin(user=user, pin=DEMO_CASHIER_PIN)
