from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "tenant_apps.purchasing"
    label = "purchasing"
    verbose_name = "Purchasing"
