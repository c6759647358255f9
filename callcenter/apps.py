"""App configuration: what the call center plugs into the core registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallcenterConfig(AppConfig):
    """Working calendar, follow-up rules and queues, calls and complaints."""

    name = "callcenter"
    verbose_name = _("Call center")

    def ready(self) -> None:
        from crm_site import plugins

        from . import access, plugin
        from .board import plugin as board_plugin
        from .complaints import plugin as complaints_plugin

        plugins.register_permissions(access)
        plugin.register()
        board_plugin.register()
        complaints_plugin.register()
