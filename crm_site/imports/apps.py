"""App configuration of the import engine: files of any registered kind, imported in the background."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnyKindPermission:
    """Holds when the scope may import or export some registered kind: the same door as the import list.

    The kinds are registered by apps installed after this one, so the permissions are looked up when asked, not at
    start-up; `Permission.allows` is all the menu needs.
    """

    code = "imports.any_kind"

    def allows(self, scope) -> bool:
        from crm_site.access import allowed

        from .kinds import export_permissions, import_permissions

        perms = import_permissions() + export_permissions()
        return bool(perms) and allowed(perms, scope)

    def __str__(self) -> str:
        return self.code


class ImportsConfig(AppConfig):
    """CSV and XLSX import and export of the kinds the domain apps register."""

    name = "crm_site.imports"
    label = "imports"
    verbose_name = _("Imports and exports")

    def ready(self) -> None:
        from crm_site import plugins

        plugins.register_menu(plugins.MenuItem(_("Imports and exports"), "imports:job-list", AnyKindPermission(),
                                               order=70))
