"""App configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealersConfig(AppConfig):
    """Organisation: tenants, regions, dealers, staff users and API clients."""

    name = "dealers"
    verbose_name = _("Organisation")
