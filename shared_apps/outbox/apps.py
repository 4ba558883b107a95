from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "shared_apps.outbox"
    label = "outbox"
    verbose_name = "Task outbox"
