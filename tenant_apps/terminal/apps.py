from django.apps import AppConfig


class TerminalConfig(AppConfig):
    name = "tenant_apps.terminal"
    label = "terminal"
    verbose_name = "Terminal and back office"
