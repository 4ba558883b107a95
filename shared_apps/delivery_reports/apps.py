from django.apps import AppConfig


class DeliveryReportsConfig(AppConfig):
    name = "shared_apps.delivery_reports"
    label = "delivery_reports"
    verbose_name = "Delivery reports"
