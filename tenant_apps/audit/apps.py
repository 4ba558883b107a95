from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tenant_apps.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from tenant_apps.audit import registry

        registry.register_models()
