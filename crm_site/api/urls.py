"""URLs under /api/v1/: every app's resources, plus the token endpoint."""

from django.urls import include, path

import customers.api.urls  # noqa: F401  (registers its resources)
import dealers.api.urls  # noqa: F401  (registers its resources)
import vehicles.api.urls  # noqa: F401  (registers its resources)
from dealers.api.auth import TokenView

from .router import router

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]
