"""URLs under /api/v1/: every app's resources (registered by its api/urls.py, discovered) and its extra paths."""

from django.urls import include, path

from ..discovery import api_urls
from .router import router

urlpatterns = [
    *api_urls(),
    path("", include(router.urls)),
]
