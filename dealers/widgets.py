"""Landing-page widgets of the organisation app: the dealers the user sees."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm_site.plugins import Widget

from .models import Dealer

SHOWN_DEALERS = 200


def _dealers(request, scope) -> dict:
    dealers = list(Dealer.objects.scoped(scope).select_related("region").order_by("code")[:SHOWN_DEALERS + 1])
    return {"dealers": dealers[:SHOWN_DEALERS], "more": len(dealers) > SHOWN_DEALERS,
            "dealer_count": min(len(dealers), SHOWN_DEALERS)}


WIDGETS = (
    Widget(code="dealers", title=_("Your dealers"), template="dealers/_widget_dealers.html", context=_dealers,
           order=90),
)
