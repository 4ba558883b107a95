from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "tenant_apps.inventory"
    label = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from tenant_apps.inventory import seeding  # noqa: F401  (registers the seed hook)
