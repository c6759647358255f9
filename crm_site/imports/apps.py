"""App configuration of the import engine: files of any registered kind, imported in the background."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """CSV and XLSX import and export of the kinds the domain apps register."""

    name = "crm_site.imports"
    label = "imports"
    verbose_name = _("Imports and exports")

    def ready(self) -> None:
        from crm_site import plugins

        from .kinds import MAY_IMPORT_OR_EXPORT_SOME

        plugins.register_menu(plugins.MenuItem(_("Imports and exports"), "imports:job-list",
                                               MAY_IMPORT_OR_EXPORT_SOME, order=70))
