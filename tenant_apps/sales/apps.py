from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "tenant_apps.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from tenant_apps.payments.handlers import register_c2b_matcher, register_payment_handler
        from tenant_apps.sales import seeding  # noqa: F401  (registers the seed hook)
        from tenant_apps.sales.services.tenders import (
            PAYMENT_PURPOSE,
            SalePayments,
            match_open_sale_payment,
        )

        register_payment_handler(PAYMENT_PURPOSE, SalePayments())
        register_c2b_matcher("sales.open_sale", match_open_sale_payment)
