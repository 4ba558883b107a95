from __future__ import annotations

from django.db.models import QuerySet

from shared_apps.users.models import User
from tenant_apps.staff.models import ApiKey


def staff_list(*, include_inactive: bool = True) -> QuerySet[User]:
    users = User.objects.order_by("full_name", "email")
    return users if include_inactive else users.filter(is_active=True)


def staff_get(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


def staff_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def api_key_list() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("created_by")
