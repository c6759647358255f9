"""App configuration: what the surveys plug into the core registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Satisfaction survey templates, invitations, responses and indices."""

    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from crm_site import plugins

        from . import access, plugin

        plugins.register_permissions(access)
        plugin.register()
