"""App configuration: what the retention app plugs into the core registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """Retention metrics, lifecycle, campaigns and the HQ and dealer dashboards."""

    name = "retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        from crm_site import plugins

        from . import access, plugin

        plugins.register_permissions(access)
        plugin.register()
