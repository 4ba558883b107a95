"""The till's API, under ``/api/v1/terminal/``: the API's errors, authentication and
documentation. 10,000 products are about 0.7 MB of JSON and a fifth of that gzipped; the proxy
in front compresses it (infra/nginx.conf), as it would any large answer."""

from django.urls import path

from tenant_apps.terminal.api.snapshot import SnapshotApi

app_name = "terminal-api"

urlpatterns = [
    path("snapshot/", SnapshotApi.as_view(), name="snapshot-detail"),
]
