"""App configuration: what the organisation app plugs into the core registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealersConfig(AppConfig):
    """Organisation: tenants, regions, dealers, staff users and API clients."""

    name = "dealers"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from crm_site import plugins

        from . import access, widgets

        plugins.register_permissions(access)
        plugins.register_menu(
            plugins.MenuItem(_("Regions"), "dealers:region-list", access.ORG_VIEW, order=80),
            plugins.MenuItem(_("Dealers"), "dealers:dealer-list", access.DEALER_VIEW, order=81),
            plugins.MenuItem(_("Staff"), "dealers:user-list", access.STAFF_MANAGE, order=82),
            plugins.MenuItem(_("API clients"), "dealers:apiclient-list", access.API_CLIENT_MANAGE, order=83),
            plugins.MenuItem(_("Keeping periods"), "dealers:data-retention", access.ORG_EDIT, order=84),
        )
        plugins.register_widgets(*widgets.WIDGETS)
