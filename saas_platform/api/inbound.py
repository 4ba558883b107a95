"""Posts from outside services (payment providers' callbacks, billing gateways' webhooks).

No authentication, CSRF or throttling: the sender carries no credentials of ours. What lets a
post in is checked by the services (a signature, an unguessable token in the URL); the raw
bytes are handed over as sent, because signatures are computed over exactly those bytes.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView


class InboundPostApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []


INBOUND_SCHEMA: dict[str, Any] = {
    "request": {"application/json": OpenApiTypes.OBJECT},
    "responses": {200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    "auth": [],
}


def raw_headers(request: Request) -> dict[str, str]:
    return {str(key): str(value) for key, value in request._request.headers.items()}


def raw_body(request: Request) -> bytes:
    # Not request.data: parsing would lose the exact bytes the signature covers.
    return bytes(request._request.body)
