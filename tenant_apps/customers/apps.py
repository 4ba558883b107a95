from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "tenant_apps.customers"
    label = "customers"
    verbose_name = "Customers"
