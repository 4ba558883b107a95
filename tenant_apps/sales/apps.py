from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "tenant_apps.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from tenant_apps.payments.handlers import register_payment_handler
        from tenant_apps.sales import seeding  # noqa: F401  (registers the seed hook)
        from tenant_apps.sales.checkout import PAYMENT_PURPOSE
        from tenant_apps.sales.settlement import SalePayments

        register_payment_handler(PAYMENT_PURPOSE, SalePayments())
