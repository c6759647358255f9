"""App configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VehiclesConfig(AppConfig):
    """Vehicle catalogue, vehicles, ownership, sales, service visits and related purchases."""

    name = "vehicles"
    verbose_name = _("Vehicles")
