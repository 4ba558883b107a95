from django.urls import URLPattern, URLResolver, path
from django.views.decorators.gzip import gzip_page

from tenant_apps.terminal import views
from tenant_apps.terminal.api.snapshot import SnapshotApi

app_name = "terminal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.terminal, name="terminal-page"),
    path("sw.js", views.service_worker, name="service-worker"),
    # Compressed here: 10,000 products are about a megabyte of JSON and a tenth of it gzipped.
    path("api/snapshot/", gzip_page(SnapshotApi.as_view()), name="snapshot-detail"),
]
