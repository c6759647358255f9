"""App configuration of the cross-cutting core (audit log, base models)."""

from django.apps import AppConfig


class CrmSiteConfig(AppConfig):
    """The core: scope, base models, audit log."""

    name = "crm_site"
    verbose_name = "CRM core"
