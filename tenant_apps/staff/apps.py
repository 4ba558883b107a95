from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "tenant_apps.staff"
    label = "staff"
    verbose_name = "Staff, roles and API keys"

    def ready(self) -> None:
        from tenant_apps.staff import openapi  # noqa: F401  (registers the API-key auth scheme)
