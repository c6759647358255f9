"""App configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """Customers and leads: the unified customer record (统一客户视图)."""

    name = "customers"
    verbose_name = _("Customers")
