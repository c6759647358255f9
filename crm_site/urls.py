"""Top-level URLs: browser pages, the API under /api/v1/, the schema and health checks."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import converters, health  # noqa: F401  (registers the id converter)

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include("crm_site.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("crm_site.web_urls")),
]

handler400 = "crm_site.api.errors.api_bad_request"
handler404 = "crm_site.api.errors.api_not_found"
handler500 = "crm_site.api.errors.api_server_error"
