from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # Registers the seed hook that starts every new business's trial.
        from billing import seeding  # noqa: F401
