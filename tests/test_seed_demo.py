"""`manage.py seed_demo`: the demo business with one user per role, idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role, User

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_user_per_role_and_prints_their_logins() -> None:
    out = StringIO()

    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())  # a second run changes nothing

    tenant = Tenant.objects.get(slug="demo")
    with schema_context(tenant.schema_name):
        roles = sorted(User.objects.values_list("role", flat=True))
        cashier = User.objects.get(role=Role.CASHIER)
        assert cashier.check_password("demo-cashier-pass-2026")
        assert cashier.pin_hash
    assert roles == sorted(Role.values)
    for role in Role.values:
        assert f"{role}@demo.duka.test" in out.getvalue()
