from django.urls import URLPattern, URLResolver, path

from tenant_apps.terminal import views
from tenant_apps.terminal.api.snapshot import SnapshotApi

app_name = "terminal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.terminal, name="terminal-page"),
    path("sw.js", views.service_worker, name="service-worker"),
]

# Under /api/v1/terminal/: the API's errors, authentication and documentation. 10,000 products
# are about 0.7 MB of JSON and a fifth of that gzipped; the proxy in front compresses it
# (infra/nginx.conf), as it would any large answer.
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("snapshot/", SnapshotApi.as_view(), name="snapshot-detail"),
]
