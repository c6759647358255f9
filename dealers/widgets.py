"""Landing-page widgets of the organisation app: the dealers the user sees."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm_site.plugins import Widget

from .access import ORG_EDIT, WidgetAccess
from .models import Dealer

SHOWN_DEALERS = 200


def _dealers(request, scope) -> dict:
    dealers = list(Dealer.objects.scoped(scope).select_related("region").order_by("code")[:SHOWN_DEALERS + 1])
    return {"dealers": dealers[:SHOWN_DEALERS], "more": len(dealers) > SHOWN_DEALERS,
            "dealer_count": min(len(dealers), SHOWN_DEALERS), "may_open": ORG_EDIT.allows(scope), "wide": True}


WIDGETS = (
    # Dealer staff work one store: their landing page has that store's widgets, not a list of one dealer.
    Widget(code="dealers", title=_("Your dealers"), template="dealers/_widget_dealers.html", context=_dealers,
           permission=WidgetAccess(store=False), order=90),
)
