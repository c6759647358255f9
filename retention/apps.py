"""App configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """Retention metrics, lifecycle, campaigns and the HQ and dealer dashboards."""

    name = "retention"
    verbose_name = _("Retention")
