"""The adapters by name: the payments app asks for one here and uses it through ``Gateway``."""

from __future__ import annotations

from collections.abc import Callable

from saas_platform.errors import ValidationFailed
from tenant_apps.payments.gateways.airtel import AirtelGateway
from tenant_apps.payments.gateways.base import Gateway
from tenant_apps.payments.gateways.card import HostedCardGateway
from tenant_apps.payments.gateways.cash import CashGateway
from tenant_apps.payments.gateways.mpesa import DarajaGateway
from tenant_apps.payments.gateways.upi import UpiGateway

_FACTORIES: dict[str, Callable[[], Gateway]] = {
    DarajaGateway.name: DarajaGateway,
    AirtelGateway.name: AirtelGateway,
    HostedCardGateway.name: HostedCardGateway,
    UpiGateway.name: UpiGateway,
    CashGateway.name: CashGateway,
}

GATEWAYS: tuple[str, ...] = tuple(_FACTORIES)


def get_gateway(name: str) -> Gateway:
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise ValidationFailed.for_field(
            "provider", "unknown_provider", f"There is no payment provider called {name!r}."
        ) from None
    return factory()
