"""Who sees the retention figures, the staff KPIs and the stock, who exports them and who sets the windows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm_site.access import permission
from dealers.choices import Role

HQ = {Role.OEM_ADMIN, Role.OEM_ANALYST}

# The network's figures for HQ and regions, a store's own for its manager; dealer systems read them too.
RETENTION_VIEW = permission("retention.view", _("See retention figures, the dashboards and the stock"),
                            HQ | {Role.REGION_MANAGER, Role.DEALER_MANAGER}, api_clients=True, writes=False)
# Figures per named employee (绩效考核): their manager and HQ only.
STAFF_KPI_VIEW = permission("retention.staff_kpi_view", _("See the staff KPIs"), HQ | {Role.DEALER_MANAGER},
                            writes=False)
RETENTION_EXPORT = permission("retention.export", _("Export retention tables and lists"),
                              HQ | {Role.REGION_MANAGER, Role.DEALER_MANAGER}, writes=False)
RETENTION_SETTINGS = permission("retention.settings_edit", _("Set the retention windows"), {Role.OEM_ADMIN})
# "Call them" on a scorecard's lapsed and defected lists: the store's manager, its region and HQ's administrator.
WIN_BACK_CREATE = permission("retention.win_back_create", _("Turn lapsed and defected customers into follow-ups"),
                             {Role.OEM_ADMIN, Role.REGION_MANAGER, Role.DEALER_MANAGER})
# Win-back campaigns (issue 13): analysts and region managers build and launch them (the issue overrides DESIGN §2's
# read-only analyst here), HQ's administrator too, and a store's manager for the store; the call center's supervisor
# follows their results.
CAMPAIGN_VIEW = permission("retention.campaign_view", _("See win-back campaigns and their results"),
                           HQ | {Role.REGION_MANAGER, Role.DEALER_MANAGER, Role.CC_SUPERVISOR}, writes=False)
CAMPAIGN_CREATE = permission("retention.campaign_create", _("Build and launch win-back campaigns"),
                             HQ | {Role.REGION_MANAGER, Role.DEALER_MANAGER})
# Segments and association rules (issue 13) are tenant-wide aggregates, with no customer in them: HQ and the regions
# read them (a region picks a cluster for its win-back campaign); dealer systems read none (retention/segments).
SEGMENT_VIEW = permission("retention.segment_view", _("See customer segments and association rules"),
                          HQ | {Role.REGION_MANAGER}, api_clients=True, writes=False)
# Running an analysis only reads: HQ's analysts may, like its administrators.
SEGMENT_RUN = permission("retention.segment_run", _("Run the segmentation and the rule mining"), HQ, writes=False)
