"""App configuration of the import engine: files of any registered kind, imported in the background."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """CSV and XLSX import and export of the kinds the domain apps register."""

    name = "crm_site.imports"
    label = "imports"
    verbose_name = _("Imports and exports")
