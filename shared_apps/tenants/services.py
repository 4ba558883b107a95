"""Writes on tenants: signup and provisioning, status changes, domains."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from saas_platform.errors import Conflict, FieldErrorCollector, ValidationFailed
from saas_platform.locking import lock_found
from saas_platform.tenancy import use_public_schema
from shared_apps.outbox.services import outbox_send
from shared_apps.tenants import schema_pool
from shared_apps.tenants.models import Domain, Tenant, TenantStatus, TenantStatusChange
from shared_apps.tenants.seed_hooks import registered_seed_hooks
from shared_apps.tenants.slugs import SlugProblem, check_slug_shape, schema_name_for
from shared_apps.tenants.validators import is_country, is_currency, is_time_zone
from shared_apps.users.models import Role, User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignupData:
    business_name: str
    slug: str
    owner_name: str
    owner_email: str
    password: str
    country: str
    currency: str
    time_zone: str


def tenant_domain_for(slug: str) -> str:
    return f"{slug}.{settings.PLATFORM_DOMAIN}"


def signup_validate(*, data: SignupData, allow_reserved: bool = False) -> None:
    """Raises ``ValidationFailed`` listing every problem with the signup, field by field."""
    errors = FieldErrorCollector()
    try:
        check_slug_shape(data.slug, allow_reserved=allow_reserved)
    except SlugProblem as exc:
        errors.add("slug", exc.code, exc.message)
    else:
        if Tenant.objects.filter(slug=data.slug).exists():
            errors.add("slug", "slug_taken", f"“{data.slug}” is already taken.")
    if not data.business_name.strip():
        errors.add("business_name", "required", "Enter the business name.")
    if not data.owner_name.strip():
        errors.add("owner_name", "required", "Enter your name.")
    if not is_country(data.country):
        errors.add(
            "country", "unknown_country", f"“{data.country}” is not an ISO 3166 country code."
        )
    if not is_currency(data.currency):
        errors.add(
            "currency", "unknown_currency", f"“{data.currency}” is not an ISO 4217 currency code."
        )
    if not is_time_zone(data.time_zone):
        errors.add(
            "time_zone", "unknown_time_zone", f"“{data.time_zone}” is not an IANA time zone."
        )
    candidate = User(email=data.owner_email, full_name=data.owner_name)
    try:
        password_validation.validate_password(data.password, user=candidate)
    except DjangoValidationError as exc:
        for error in exc.error_list:
            errors.add("password", error.code or "weak_password", " ".join(error.messages))
    errors.raise_if_any()


def tenant_signup(
    *, data: SignupData, allow_reserved: bool = False, strategy: str | None = None
) -> Tenant:
    """Creates a business: tenant row, domain, schema, owner and seed data, all or nothing."""
    signup_validate(data=data, allow_reserved=allow_reserved)
    use_public_schema()
    schema_name = schema_name_for(data.slug)
    try:
        with transaction.atomic():
            tenant = Tenant(
                schema_name=schema_name,
                slug=data.slug,
                name=data.business_name.strip(),
                country=data.country,
                currency=data.currency,
                time_zone=data.time_zone,
                owner_email=data.owner_email.lower(),
                status=TenantStatus.TRIALING,
            )
            tenant.save()
            Domain.objects.create(domain=tenant_domain_for(data.slug), tenant=tenant)
            how = schema_pool.make_tenant_schema(schema_name, strategy=strategy)
            with schema_context(schema_name):
                owner = User.objects.create_user(
                    data.owner_email,
                    data.password,
                    full_name=data.owner_name.strip(),
                    role=Role.OWNER,
                )
                for _name, hook in registered_seed_hooks():
                    hook(tenant=tenant, owner=owner)
    except IntegrityError as exc:
        # Two signups raced for the same slug; the unique constraint decided.
        if Tenant.objects.filter(slug=data.slug).exists():
            raise Conflict.for_field(
                "slug", "slug_taken", f"“{data.slug}” is already taken."
            ) from exc
        raise
    finally:
        use_public_schema()
    logger.info("provisioned tenant %s (schema %s, %s)", data.slug, schema_name, how)
    if (
        settings.TENANT_SCHEMA_POOL_SIZE > 0
        and how in ("pool", "clone")
        and ((strategy or settings.TENANT_PROVISIONING_STRATEGY) == "pool")
    ):
        # Through the outbox, as all work a request queues: with the broker away, the signup
        # still answers (and the refill goes when the broker is back), where a direct .delay()
        # raised from the commit hook after the business was already made.
        outbox_send(schema_pool.REFILL_TASK)
    return tenant


def tenant_set_status(
    *, tenant: Tenant, status: str, reason: str = "", actor_email: str = ""
) -> Tenant:
    """Changes a business's status and records who did it and why."""
    if status not in TenantStatus.values:
        raise ValidationFailed.for_field("status", "invalid_status", f"Unknown status {status!r}.")
    if tenant.schema_name == "public":
        raise ValidationFailed("The platform itself has no status to change.")
    use_public_schema()
    with transaction.atomic():
        locked = lock_found(Tenant, pk=tenant.pk, missing="No such business.")
        previous = locked.status
        locked.status = status
        locked.status_reason = reason
        locked.save(update_fields=["status", "status_reason", "updated_at"])
        TenantStatusChange.objects.create(
            tenant=locked,
            from_status=previous,
            to_status=status,
            reason=reason,
            actor_email=actor_email,
        )
    return locked
