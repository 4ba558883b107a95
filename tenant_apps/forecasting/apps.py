from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    # The engine beside it (engine/) never imports Django.
    name = "tenant_apps.forecasting"
    label = "forecasting"
    verbose_name = "Forecasting"
