"""App configuration: what the organisation app plugs into the core registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealersConfig(AppConfig):
    """Organisation: tenants, regions, dealers, staff users and API clients."""

    name = "dealers"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from crm_site import plugins

        from . import access, second_factor, services, widgets  # noqa: F401  (second_factor: its login receiver)

        plugins.register_permissions(access)
        plugins.register_menu(
            plugins.MenuItem(_("Regions"), "dealers:region-list", access.ORG_VIEW, order=80),
            plugins.MenuItem(_("Dealers"), "dealers:dealer-list", access.DEALER_VIEW, order=81),
            plugins.MenuItem(_("Staff"), "dealers:user-list", access.STAFF_MANAGE, order=82),
            plugins.MenuItem(_("API clients"), "dealers:apiclient-list", access.API_CLIENT_MANAGE, order=83),
            plugins.MenuItem(_("Keeping periods"), "dealers:data-retention", access.ORG_EDIT, order=84),
            plugins.MenuItem(_("Roles and access"), "dealers:role-policies", access.PERSONAL_DATA_GRANT, order=85),
            # The user's name in the top bar opens it too, but a phone hides the name: the menu reaches it there.
            plugins.MenuItem(_("My account"), "dealers:account", access.SECOND_FACTOR, order=99),
        )
        # Each new tenant's decision per role (mobiles in full, second factor) is written out, not implied.
        plugins.register_tenant_defaults(plugins.TenantDefault("role_policies", services.role_policies_create_defaults))
        plugins.register_widgets(*widgets.WIDGETS)
