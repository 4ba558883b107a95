"""One user model for the whole platform.

The app is installed both in the public schema (platform owners) and in every tenant schema
(that business's staff), so the same table exists in each and a user row belongs to exactly one
schema. A user id therefore means nothing outside its schema; tokens must say which schema they
were issued for.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    CASHIER = "cashier", "Cashier"
    WAREHOUSE = "warehouse", "Warehouse"
    ACCOUNTANT = "accountant", "Accountant"
    ANALYST = "analyst", "Analyst"


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    # Meaningful in tenant schemas only; platform owners in the public schema have none.
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    # A short PIN for quick switching at a shared till (tenant schemas only), hashed.
    pin_hash = models.CharField(max_length=128, blank=True)
    # Set when an owner resets the PIN: PIN login is refused until the person, signed in with
    # their password, chooses a new one. Nobody but the person ever sets their PIN.
    pin_reset_required = models.BooleanField(default=False)
    # Platform owners live in the public schema and may use the super-admin console.
    is_platform_owner = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email
