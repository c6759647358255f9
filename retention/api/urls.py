"""The read-only retention analytics under /api/v1/retention/ (plain views: they list figures, not objects)."""

from django.urls import path

from ..campaigns import api as campaigns_api  # noqa: F401  (registers retention/campaigns)
from ..segments import api as _segments  # noqa: F401  (registers retention/segments and /association-rules)
from . import value  # noqa: F401  (registers retention/customer-value on the router)
from .views import DefectionView, MetricsView

urlpatterns = [
    path("retention/metrics/", MetricsView.as_view(), name="retention-metrics"),
    path("retention/defection/", DefectionView.as_view(), name="retention-defection"),
]
