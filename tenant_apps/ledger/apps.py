from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "tenant_apps.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        from tenant_apps.ledger import seeding  # noqa: F401  (registers the seed hook)
