"""Per-app seeding of a new business's schema.

Apps register a hook from their ``AppConfig.ready()``; provisioning runs every hook inside the new
tenant's schema and inside the provisioning transaction, so a failing hook undoes the whole
signup. Hooks run in ascending ``order`` (ties by name) so later apps can rely on earlier data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from shared_apps.tenants.models import Tenant
    from shared_apps.users.models import User


class SeedHook(Protocol):
    def __call__(self, *, tenant: Tenant, owner: User) -> None: ...


@dataclass(frozen=True)
class _Registered:
    name: str
    order: int
    hook: SeedHook


_hooks: dict[str, _Registered] = {}


def register_seed_hook(name: str, *, order: int = 100) -> Callable[[SeedHook], SeedHook]:
    def decorator(hook: SeedHook) -> SeedHook:
        _hooks[name] = _Registered(name=name, order=order, hook=hook)
        return hook

    return decorator


def unregister_seed_hook(name: str) -> None:
    _hooks.pop(name, None)


def registered_seed_hooks() -> list[tuple[str, SeedHook]]:
    return [(r.name, r.hook) for r in sorted(_hooks.values(), key=lambda r: (r.order, r.name))]
