"""App configuration: what the customers app plugs into the core registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """Customers and leads: the unified customer record (统一客户视图)."""

    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from crm_site import plugins

        from . import access, widgets
        from .models import ConsentRecord, Lead
        from .timeline import TIMELINE_SOURCES

        plugins.register_permissions(access)
        plugins.register_menu(
            plugins.MenuItem(_("Customers"), "customers:search", order=10),
            # A sales consultant works their own leads first (DESIGN §2); managers, regions and HQ watch the pipeline.
            plugins.MenuItem(_("Leads"), "customers:lead-mine", access.LEAD_OWN, order=20),
            plugins.MenuItem(_("Leads"), "customers:lead-board", access.LEAD_BOARD, order=21,
                             unless=access.LEAD_OWN),
            plugins.MenuItem(_("Duplicate customers"), "customers:duplicates", access.CUSTOMER_MERGE, order=60),
        )
        plugins.register_widgets(*widgets.WIDGETS)
        plugins.register_timeline_sources(*TIMELINE_SOURCES)
        plugins.register_merge_participants(
            plugins.MergeParticipant("leads", Lead, "customer"),
            plugins.MergeParticipant("referrals", Lead, "referred_by"),
            plugins.MergeParticipant("consents", ConsentRecord, "customer"),
        )
        from .imports import IMPORT_KINDS

        plugins.register_import_kinds(*IMPORT_KINDS)
        from .history import CUSTOMER_HISTORY

        plugins.register_history_subjects(CUSTOMER_HISTORY)
