from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tenant_apps.payments"
    label = "payments"
    verbose_name = "Payments"
