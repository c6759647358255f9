"""What the retention app registers with the core (called from RetentionConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def create_tenant_settings(tenant) -> None:
    """Every tenant starts with the standard's windows: 12 / 6 months, lapsed after 12, lost after 24."""
    from .models import RetentionSettings

    RetentionSettings._base_manager.get_or_create(tenant=tenant)


def register() -> None:
    """Register the menu entries, the landing widgets and the tenant's default windows."""
    from crm_site import plugins

    from . import access, widgets
    from .segments import tasks as _segment_tasks  # noqa: F401  (registers the analysis jobs with Celery)

    plugins.register_menu(
        plugins.MenuItem(_("Retention dashboard"), "retention:dashboard", access.RETENTION_VIEW, order=10),
        plugins.MenuItem(_("Staff KPIs"), "retention:staff", access.STAFF_KPI_VIEW, order=11),
        plugins.MenuItem(_("Dealer stock"), "retention:stock", access.RETENTION_VIEW, order=12),
        plugins.MenuItem(_("Customer value"), "retention:customer-value", access.RETENTION_VIEW, order=13),
        plugins.MenuItem(_("Win-back campaigns"), "retention:campaign-list", access.CAMPAIGN_VIEW, order=14),
        plugins.MenuItem(_("Customer segments"), "retention:segments", access.SEGMENT_VIEW, order=15),
        plugins.MenuItem(_("Association rules"), "retention:association-rules", access.SEGMENT_VIEW, order=16),
        plugins.MenuItem(_("Retention windows"), "retention:settings", access.RETENTION_SETTINGS, order=86),
    )
    plugins.register_widgets(*widgets.WIDGETS)
    from .models import CustomerValue

    plugins.register_customer_panels(plugins.CustomerPanel(
        code="customer_value", template="retention/_customer_value.html", model=CustomerValue, order=15,
        query=lambda rows, customer: rows.filter(customer=customer)))
    plugins.register_tenant_defaults(plugins.TenantDefault("retention_settings", create_tenant_settings))
    from .campaigns.models import CampaignMember
    from .campaigns.services import members_merge

    plugins.register_merge_participants(plugins.MergeParticipant("campaign_members", CampaignMember, "customer",
                                                                 move=members_merge))
