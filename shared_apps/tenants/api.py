"""Signup API on the root domain."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.tenancy import current_business
from shared_apps.tenants.links import tenant_url
from shared_apps.tenants.models import Tenant
from shared_apps.tenants.services import SignupData, signup_validate, tenant_signup
from shared_apps.users import lockout, ratelimit


class TenantOutputSerializer(serializers.ModelSerializer[Tenant]):
    class Meta:
        model = Tenant
        fields = ["slug", "name", "status", "country", "currency", "time_zone", "created_at"]


class SignupApi(APIView):
    """Creates a business with its own subdomain, schema and owner account.

    Throttled per client address and per owner e-mail (``SIGNUP_PER_*_PER_HOUR``): over the
    limit, ``429 throttled`` with ``Retry-After`` and nothing is made.
    """

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer[SignupData]):
        business_name = serializers.CharField(max_length=200)
        slug = serializers.CharField(max_length=63, trim_whitespace=True)
        owner_name = serializers.CharField(max_length=150)
        owner_email = serializers.EmailField()
        password = serializers.CharField(max_length=128, trim_whitespace=False)
        country = serializers.CharField(max_length=8)
        currency = serializers.CharField(max_length=8)
        time_zone = serializers.CharField(max_length=64)

    class OutputSerializer(serializers.Serializer[Tenant]):
        tenant = TenantOutputSerializer(source="*")
        url = serializers.SerializerMethodField()
        login_url = serializers.SerializerMethodField()

        def get_url(self, tenant: Tenant) -> str:
            return tenant_url(tenant, "terminal:home")

        def get_login_url(self, tenant: Tenant) -> str:
            return tenant_url(tenant, "terminal:login")

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = SignupData(**serializer.validated_data)
        # Mistakes cost nothing; only a signup that would make a business is counted (429).
        signup_validate(data=data)
        ratelimit.throttle_signup(
            address=lockout.client_address(request.META), email=data.owner_email
        )
        tenant = tenant_signup(data=data)
        return Response(self.OutputSerializer(tenant).data, status=status.HTTP_201_CREATED)


class CurrentBusinessApi(APIView):
    """The business served at this host: what a login page or terminal shows before sign-in."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(responses=TenantOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(TenantOutputSerializer(current_business()).data)
