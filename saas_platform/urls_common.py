"""Routes served on every host: API documentation of that host's own endpoints."""

from django.urls import URLPattern, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView


def api_docs_urlpatterns(urlconf: str) -> list[URLPattern]:
    # The root domain and business hosts serve different APIs; each documents its own.
    return [
        path("api/schema/", SpectacularAPIView.as_view(urlconf=urlconf), name="schema"),
        path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
        # Our page: drf-spectacular's loads its fonts from Google (saas_platform/templates/api/).
        path(
            "api/redoc/",
            SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"),
            name="redoc",
        ),
    ]
