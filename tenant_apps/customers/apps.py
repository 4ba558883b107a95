from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "tenant_apps.customers"
    label = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from tenant_apps.audit.registry import audit
        from tenant_apps.customers import c2b
        from tenant_apps.customers.models import CreditEntry, Customer

        # The balance and points are running totals of the permanent entries, which are the
        # history; recording every change of them again would only bury real edits.
        audit(Customer, exclude=["balance", "balance_currency", "loyalty_points"])
        audit(CreditEntry)
        c2b.register()
