"""Landing-page widgets of the organisation app: the dealers the user sees, and who sees a store's widgets."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from crm_site.access import Permission, allowed
from crm_site.plugins import Widget
from crm_site.scope import Scope

from .access import ORG_EDIT
from .choices import DEALER_ROLES
from .models import Dealer

SHOWN_DEALERS = 200


@dataclass(frozen=True)
class WidgetAccess:
    """Who sees a widget: holders of `permission` (None: everyone with a scope), narrowed by where they work.

    `store=True`: dealer staff only (the figures of their own store); `store=False`: only the network's roles (HQ,
    regions, call center); None: both. Holders of `unless` do not see it: they have a widget of their own for the
    same thing (as `MenuItem.unless`). The roles stay in the apps' access.py; this only says which side of the
    network a panel is for.
    """

    permission: Permission | None = None
    store: bool | None = None
    unless: Permission | None = None

    def allows(self, scope: Scope | None) -> bool:
        if scope is None or scope.is_api_client or not allowed(self.permission, scope):
            return False
        if self.store is not None and (scope.role in DEALER_ROLES) != self.store:
            return False
        return not (self.unless is not None and self.unless.allows(scope))


def _dealers(request, scope) -> dict:
    dealers = list(Dealer.objects.scoped(scope).select_related("region").order_by("code")[:SHOWN_DEALERS + 1])
    return {"dealers": dealers[:SHOWN_DEALERS], "more": len(dealers) > SHOWN_DEALERS,
            "dealer_count": min(len(dealers), SHOWN_DEALERS), "may_open": ORG_EDIT.allows(scope), "wide": True}


WIDGETS = (
    # Dealer staff work one store: their landing page has that store's widgets, not a list of one dealer.
    Widget(code="dealers", title=_("Your dealers"), template="dealers/_widget_dealers.html", context=_dealers,
           permission=WidgetAccess(store=False), order=90),
)
