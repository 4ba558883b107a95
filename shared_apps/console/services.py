"""Writes of the platform console: suspending and reactivating businesses, the first owner."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from saas_platform.errors import Conflict, ValidationFailed
from saas_platform.tenancy import use_public_schema
from shared_apps.tenants.models import Tenant, TenantStatus
from shared_apps.tenants.services import tenant_set_status
from shared_apps.users.models import User

logger = logging.getLogger(__name__)

# The width of TenantStatusChange.reason and Tenant.status_reason.
STATUS_REASON_MAX_LENGTH = 500


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed.for_field(
            "reason", "required", "Give a reason; it is recorded in the status history."
        )
    if len(reason) > STATUS_REASON_MAX_LENGTH:
        raise ValidationFailed.for_field(
            "reason",
            "max_length",
            f"Keep the reason to {STATUS_REASON_MAX_LENGTH} characters or fewer.",
        )
    return reason


def _tenant_change_status(
    *, tenant: Tenant, to_status: str, reason: str, actor_email: str, already: str
) -> Tenant:
    reason = _clean_reason(reason)
    use_public_schema()
    with transaction.atomic():
        # Locked before the check so that two owners clicking at once record one change.
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.status == to_status:
            raise Conflict(f"{locked.name} is already {already}.", code="status_unchanged")
        return tenant_set_status(
            tenant=locked, status=to_status, reason=reason, actor_email=actor_email
        )


def console_tenant_suspend(*, tenant: Tenant, reason: str, actor_email: str) -> Tenant:
    """Blocks the business's site and API at once; its data stays untouched."""
    return _tenant_change_status(
        tenant=tenant,
        to_status=TenantStatus.SUSPENDED,
        reason=reason,
        actor_email=actor_email,
        already="suspended",
    )


def console_tenant_reactivate(*, tenant: Tenant, reason: str, actor_email: str) -> Tenant:
    return _tenant_change_status(
        tenant=tenant,
        to_status=TenantStatus.ACTIVE,
        reason=reason,
        actor_email=actor_email,
        already="active",
    )


def ensure_platform_owner() -> User | None:
    """Makes ``PLATFORM_OWNER_EMAIL`` a platform owner in the public schema. Idempotent.

    ``PLATFORM_OWNER_PASSWORD`` only bootstraps: it is set when the account has no usable
    password yet and never overwrites one chosen since.
    """
    email = settings.PLATFORM_OWNER_EMAIL.strip()
    if not email:
        return None
    email = User.objects.normalize_email(email).lower()
    password = settings.PLATFORM_OWNER_PASSWORD
    with schema_context(get_public_schema_name()), transaction.atomic():
        user = User.objects.select_for_update().filter(email=email).first()
        created = user is None
        if user is None:
            user = User(email=email, full_name="Platform owner")
            user.set_unusable_password()
        changed = created or not (user.is_platform_owner and user.is_staff)
        user.is_platform_owner = True
        user.is_staff = True
        if password and not user.has_usable_password():
            try:
                password_validation.validate_password(password, user=user)
            except DjangoValidationError as exc:
                raise ImproperlyConfigured(
                    "PLATFORM_OWNER_PASSWORD is not accepted: " + " ".join(exc.messages)
                ) from exc
            user.set_password(password)
            changed = True
        if changed:
            user.full_clean()
            user.save()
    if created:
        logger.info("created platform owner %s", email)
    elif changed:
        logger.info("made %s a platform owner", email)
    if not user.is_active:
        logger.warning("platform owner %s is deactivated and cannot log in to the console", email)
    if not user.has_usable_password():
        logger.warning(
            "platform owner %s has no password yet; set one with "
            "`manage.py changepassword %s` or PLATFORM_OWNER_PASSWORD",
            email,
            email,
        )
    return user
