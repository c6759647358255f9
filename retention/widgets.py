"""Landing widgets: the network's retention headline for HQ and regions, the store's scorecard for its manager."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm_site.plugins import Widget
from dealers.access import WidgetAccess

from . import dashboard, selectors
from .access import RETENTION_VIEW


def _headline(request, scope) -> dict:
    """The newest snapshot's KPIs with their change (a fixed handful of rollup queries)."""
    known = selectors.snapshots(scope)
    if not known:
        return {"snapshot": None, "wide": True}
    current = known[0]
    kpis = dashboard.kpis(scope, current, selectors.comparisons(known, current), dealer_id=scope.single_dealer_id)
    wanted = ("owned_base", "grasp_rate", "active_ratio", "lapsed", "lost", "defected", "deliveries", "complaints")
    return {"snapshot": current, "kpis": [k for k in kpis if k["code"] in wanted], "wide": True,
            "dealer_id": scope.single_dealer_id}


WIDGETS = (
    # The landing page of HQ and regions: where customers are being lost, at a glance.
    Widget(code="retention_network", title=_("Retention across your dealers"), template="retention/_widget.html",
           context=_headline, permission=WidgetAccess(RETENTION_VIEW, store=False), order=2),
    # A store's manager lands on the store's scorecard.
    Widget(code="retention_scorecard", title=_("Your store's scorecard"), template="retention/_widget.html",
           context=_headline, permission=WidgetAccess(RETENTION_VIEW, store=True), order=2),
)
