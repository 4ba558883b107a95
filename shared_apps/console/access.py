"""Who may use the platform console: active platform owners of the public schema, nobody else."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django_tenants.utils import get_public_schema_name
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from saas_platform.tenancy import current_schema

View = Callable[..., HttpResponse]


def serving_root_domain() -> bool:
    return current_schema() == get_public_schema_name()


def is_platform_owner(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    # The users table exists in every tenant schema too, with the same column, and a business
    # controls its own rows: the flag only means something when read from the public schema.
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "is_platform_owner", False)
        and serving_root_domain()
    )


def platform_owner_required(view: View) -> View:
    """Anonymous visitors go to the console login; anyone else who is not an owner gets a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not serving_root_domain():
            # Only the public URLconf routes here; refuse anyway should that ever change.
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("console:login"))
        if not is_platform_owner(request.user):
            return render(request, "console/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


class IsPlatformOwner(BasePermission):
    message = "Only platform owners may use the console API."
    code = "not_platform_owner"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_platform_owner(request.user)
