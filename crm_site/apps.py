"""App configuration of the cross-cutting core (audit log, base models, row-level security)."""

from django.apps import AppConfig


class CrmSiteConfig(AppConfig):
    """The core: scope, base models, audit log, row-level security."""

    name = "crm_site"
    verbose_name = "CRM core"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_migrate
        from django.utils.translation import gettext_lazy as _

        from . import plugins, rls
        from .api import strict

        strict.install()

        plugins.register_menu(plugins.MenuItem(_("Home"), "home", order=0))

        # After every migrate, new tenant tables get the policy too; it is idempotent.
        post_migrate.connect(rls.install, sender=self, dispatch_uid="crm_rls_install")
        # A connection never carries one request's tenant into the next.
        request_started.connect(rls.leave_after_request, dispatch_uid="crm_rls_request_started")
        request_finished.connect(rls.leave_after_request, dispatch_uid="crm_rls_request_finished")
