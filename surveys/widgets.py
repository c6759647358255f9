"""Landing widget: this month's SSI- and CSI-style index and NPS against last month, and a store's rank."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.plugins import Widget

from . import selectors
from .access import INDEX_VIEW
from .choices import TemplateKind


def _satisfaction(request, scope) -> dict:
    """Per SSI / CSI family: this month so far and last month, from the monthly sums (two queries a family)."""
    month = timezone.localdate().replace(day=1)
    dealer_id = scope.single_dealer_id
    rows = []
    for template in selectors.templates_for(scope).filter(kind__in=[TemplateKind.SSI, TemplateKind.CSI]):
        last, this = selectors.trend(scope=scope, template=template, month=month, months=2, dealer_id=dealer_id)
        rank = selectors.dealer_rank(scope, template, month, dealer_id) if dealer_id else None
        change = (round(this["index"] - last["index"], 1)
                  if this["index"] is not None and last["index"] is not None else None)
        rows.append({"template": template, "this": this, "last": last, "change": change, "rank": rank})
    return {"rows": rows, "month": month, "dealer_id": dealer_id}


WIDGETS = (
    Widget(code="satisfaction", title=_("Customer satisfaction this month"), template="surveys/_widget.html",
           context=_satisfaction, permission=INDEX_VIEW, order=25),
)
