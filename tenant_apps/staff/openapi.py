"""Tells drf-spectacular how our authentication classes appear in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TenantJWTScheme(SimpleJWTScheme):
    target_class = "tenant_apps.staff.authentication.TenantJWTAuthentication"
    name = "jwtAuth"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "tenant_apps.staff.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Per-business API key for integrations: `Api-Key dk_<prefix>_<secret>`. "
            "Works only on the host of the business that created it; scopes limit what it may do.",
        }
