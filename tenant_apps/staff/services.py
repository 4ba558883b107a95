"""Writes on staff, PINs and API keys."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from billing.entitlements import require
from billing.models import Feature, Limit
from saas_platform.errors import (
    Conflict,
    FieldErrorCollector,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from saas_platform.locking import lock_found, lock_rows
from shared_apps.tenants.links import tenant_url
from shared_apps.tenants.models import Tenant
from shared_apps.users.models import Role, User
from tenant_apps.staff.access import PRIVILEGED_ROLES, SCOPES
from tenant_apps.staff.authentication import digest
from tenant_apps.staff.models import ApiKey
from tenant_apps.staff.tokens import revoke_refresh_tokens

PIN_RE = re.compile(r"^\d{4,6}$")


def _check_may_assign(*, actor: User, role: str) -> None:
    if role not in Role.values:
        raise ValidationFailed.for_field("role", "invalid_role", f"Unknown role {role!r}.")
    if role in PRIVILEGED_ROLES and actor.role != Role.OWNER:
        raise Forbidden(f"Only an owner can make someone {role}.", code="owner_only")


def _check_may_manage(*, actor: User, target: User) -> None:
    if target.role in PRIVILEGED_ROLES and actor.role != Role.OWNER:
        raise Forbidden(f"Only an owner can change a {target.role}'s account.", code="owner_only")


def _lock_staff_member(user_id: int) -> tuple[User, list[int]]:
    """Locks the member and every active owner, in id order, and returns (member, owner ids).

    One statement in a stable order: two owners demoting each other at once then queue up
    instead of deadlocking, and the second sees that only one owner is left.
    """
    rows = lock_rows(User.objects.filter(Q(pk=user_id) | Q(role=Role.OWNER, is_active=True)))
    target = next((u for u in rows if u.pk == user_id), None)
    if target is None:
        raise NotFound("No such staff member.")
    owners = [u.pk for u in rows if u.role == Role.OWNER and u.is_active]
    return target, owners


def _ensure_not_last_owner(target: User, owners: list[int]) -> None:
    if target.pk in owners and len(owners) == 1:
        raise Conflict(
            "This is the business's last active owner; make someone else an owner first.",
            code="last_owner",
        )


def staff_create(
    *,
    actor: User,
    tenant: Tenant,
    email: str,
    full_name: str,
    role: str,
    password: str | None = None,
) -> User:
    """Adds a staff member; without a password they get an invitation to choose one."""
    _check_may_assign(actor=actor, role=role)
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise Conflict.for_field("email", "email_taken", f"{email} is already on the staff.")
        require(Limit.STAFF_SEATS)
        user = User(email=email, full_name=full_name.strip(), role=role)
        if password:
            try:
                password_validation.validate_password(password, user=user)
            except DjangoValidationError as exc:
                errors = FieldErrorCollector()
                for error in exc.error_list:
                    errors.add("password", error.code or "weak_password", " ".join(error.messages))
                raise errors.error() from exc
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
        if not password:
            transaction.on_commit(lambda: _send_invitation(user, tenant))
    return user


def password_link(user: User, tenant: Tenant) -> str:
    """The page where ``user`` chooses a password, on the business's own domain.

    Built from the tenant's domain and PLATFORM_URL_SCHEME / PLATFORM_URL_PORT, never from the
    request: a Host or X-Forwarded-Host header is the client's to forge, and a reset link
    pointing at the attacker's host would hand them the token.
    """
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return tenant_url(tenant, "terminal:password-reset-confirm", uidb64=uid, token=token)


def _send_invitation(user: User, tenant: Tenant) -> None:
    link = password_link(user, tenant)
    send_mail(
        subject=f"You have been invited to {tenant.name} on Duka",
        message=(
            f"Hello {user.full_name},\n\nYou have been added to the staff of {tenant.name} on "
            f"Duka. Choose your password here:\n\n{link}\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )


def password_reset_request(*, tenant: Tenant, email: str) -> None:
    """Mails a link to choose a new password to the active staff member with ``email``.

    Says nothing either way: the caller answers the same whether or not anyone has this
    address. Someone invited but without a password yet gets a fresh link the same way.
    """
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    context = {
        "user": user,
        "business_name": tenant.name,
        "reset_url": password_link(user, tenant),
    }
    subject = render_to_string("registration/password_reset_subject.txt", context)
    send_mail(
        subject=" ".join(subject.split()),  # one line, whatever the template's whitespace
        message=render_to_string("registration/password_reset_email.html", context),
        from_email=None,
        recipient_list=[user.email],
    )


def staff_update(
    *, actor: User, user_id: int, role: str | None = None, full_name: str | None = None
) -> User:
    with transaction.atomic():
        user, owners = _lock_staff_member(user_id)
        _check_may_manage(actor=actor, target=user)
        if full_name is not None:
            user.full_name = full_name.strip()
        if role is not None and role != user.role:
            _check_may_assign(actor=actor, role=role)
            _ensure_not_last_owner(user, owners)
            user.role = role
        user.full_clean()
        user.save(update_fields=["full_name", "role"])
    return user


def staff_set_active(*, actor: User, user_id: int, active: bool) -> User:
    with transaction.atomic():
        user, owners = _lock_staff_member(user_id)
        _check_may_manage(actor=actor, target=user)
        if not active:
            _ensure_not_last_owner(user, owners)
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user


def _check_pin(pin: str) -> None:
    if not PIN_RE.match(pin):
        raise ValidationFailed.for_field("pin", "invalid_pin", "A PIN is 4 to 6 digits.")
    if len(set(pin)) == 1:
        raise ValidationFailed.for_field("pin", "weak_pin", "Use at least two different digits.")


def staff_set_own_pin(*, user: User, pin: str) -> None:
    """Sets the PIN ``user`` switches in with at a shared till (4 to 6 digits, hashed).

    Only ever one's own: whoever knows a PIN can sell under that name, so nobody — not a
    manager, not an owner — may choose it for someone else (an owner may reset it instead).
    """
    _check_pin(pin)
    with transaction.atomic():
        locked = lock_found(User, pk=user.pk, missing="No such staff member.")
        locked.pin_hash = make_password(pin)
        locked.pin_reset_required = False
        locked.save(update_fields=["pin_hash", "pin_reset_required"])


def staff_reset_pin(*, actor: User, user_id: int) -> User:
    """An owner clears someone's PIN: PIN login is refused until they, signed in with their
    password, choose a new one. Their refresh tokens are revoked, so a session got with the
    old PIN ends too."""
    if actor.role != Role.OWNER:
        raise Forbidden("Only an owner can reset someone's PIN.", code="owner_only")
    with transaction.atomic():
        user = lock_found(User, pk=user_id, missing="No such staff member.")
        user.pin_hash = ""
        user.pin_reset_required = True
        user.save(update_fields=["pin_hash", "pin_reset_required"])
        revoke_refresh_tokens(user)
    return user


def pin_matches(user: User, pin: str) -> bool:
    return bool(user.pin_hash) and check_password(pin, user.pin_hash)


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    key: str  # shown once, never stored


def api_key_create(
    *,
    actor: User,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    rate_limit_per_minute: int | None = None,
) -> IssuedApiKey:
    unknown = sorted(set(scopes) - SCOPES)
    if unknown:
        raise ValidationFailed.for_field(
            "scopes", "unknown_scope", f"Unknown scopes: {', '.join(unknown)}."
        )
    if not scopes:
        raise ValidationFailed.for_field("scopes", "required", "Give the key at least one scope.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed.for_field(
            "expires_at", "in_the_past", "The expiry must be in the future."
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        require(Feature.API_ACCESS)
        api_key = ApiKey.objects.create(
            name=name.strip(),
            prefix=prefix,
            secret_digest=digest(secret),
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
            rate_limit_per_minute=rate_limit_per_minute,
            created_by=actor,
        )
    return IssuedApiKey(api_key=api_key, key=f"dk_{prefix}_{secret}")


def api_key_revoke(*, api_key_id: int) -> ApiKey:
    with transaction.atomic():
        api_key = lock_found(ApiKey, pk=api_key_id, missing="No such API key.")
        if api_key.revoked_at is None:
            api_key.revoked_at = timezone.now()
            api_key.save(update_fields=["revoked_at"])
    return api_key
