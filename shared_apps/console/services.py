"""Writes of the platform console: suspending and reactivating businesses, the first owner."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from saas_platform.errors import Conflict, ValidationFailed
from saas_platform.locking import lock_found, lock_row
from saas_platform.tenancy import use_public_schema
from shared_apps.console.selectors import console_status_before_suspension
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


# What each console action may start from. Suspension pauses a business in whatever state
# billing left it; reactivation only undoes a suspension. A cancelled business is billing's to
# revive (a new subscription), not the console's.
SUSPENDABLE = frozenset({TenantStatus.TRIALING, TenantStatus.ACTIVE, TenantStatus.PAST_DUE})
SUSPEND = "suspend"
REACTIVATE = "reactivate"


def console_actions(status: str) -> frozenset[str]:
    """The status actions the console offers for a business in ``status``."""
    if status in SUSPENDABLE:
        return frozenset({SUSPEND})
    if status == TenantStatus.SUSPENDED:
        return frozenset({REACTIVATE})
    return frozenset()


def _status_change(
    *, tenant: Tenant, reason: str, actor_email: str, new_status: Callable[[Tenant], str]
) -> Tenant:
    """Sets the status ``new_status`` picks for the locked row (or raises why it cannot)."""
    reason = _clean_reason(reason)
    use_public_schema()
    with transaction.atomic():
        # Locked before the check so that two owners clicking at once record one change.
        locked = lock_found(Tenant, pk=tenant.pk, missing="No such business.")
        return tenant_set_status(
            tenant=locked, status=new_status(locked), reason=reason, actor_email=actor_email
        )


def console_tenant_suspend(*, tenant: Tenant, reason: str, actor_email: str) -> Tenant:
    """Blocks the business's site and API at once; its data stays untouched."""

    def suspended(locked: Tenant) -> str:
        if locked.status == TenantStatus.SUSPENDED:
            raise Conflict(f"{locked.name} is already suspended.", code="status_unchanged")
        if SUSPEND not in console_actions(locked.status):
            raise Conflict(
                f"{locked.name} is {locked.get_status_display().lower()} and cannot be suspended.",
                code="invalid_transition",
            )
        return TenantStatus.SUSPENDED

    return _status_change(
        tenant=tenant, reason=reason, actor_email=actor_email, new_status=suspended
    )


def console_tenant_reactivate(*, tenant: Tenant, reason: str, actor_email: str) -> Tenant:
    """Ends a suspension: the business returns to the status it had before (a trial stays a
    trial; reactivating never makes a business "active" without a plan)."""

    def status_before(locked: Tenant) -> str:
        if REACTIVATE not in console_actions(locked.status):
            raise Conflict(
                f"{locked.name} is not suspended; it is {locked.get_status_display().lower()}.",
                code="status_unchanged",
            )
        return console_status_before_suspension(tenant=locked)

    return _status_change(
        tenant=tenant, reason=reason, actor_email=actor_email, new_status=status_before
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
        user = lock_row(User, email=email)
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
