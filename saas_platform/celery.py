"""The Celery app. Tasks run inside the schema of the tenant that queued them."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")

app = CeleryApp("duka")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
