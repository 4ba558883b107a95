from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    # Not in INSTALLED_APPS yet: it has no models. The engine beside it never imports Django.
    name = "tenant_apps.forecasting"
    label = "forecasting"
    verbose_name = "Forecasting"
