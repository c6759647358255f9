"""Template context shared by every page: the navigation for the user's role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm_site.scope import scope_for_request
from dealers.choices import Role

# (label, url name, roles that see it; None = every staff role)
NAVIGATION = [
    (_("Home"), "home", None),
    (_("Regions"), "dealers:region-list", {Role.OEM_ADMIN, Role.OEM_ANALYST}),
    (_("Dealers"), "dealers:dealer-list", {Role.OEM_ADMIN, Role.OEM_ANALYST, Role.REGION_MANAGER}),
    (_("Staff"), "dealers:user-list", {Role.OEM_ADMIN, Role.DEALER_MANAGER}),
    (_("API clients"), "dealers:apiclient-list", {Role.OEM_ADMIN, Role.DEALER_MANAGER}),
]


def navigation(request) -> dict:
    """Menu entries the current user's role may open, and their scope."""
    scope = scope_for_request(request) if getattr(request, "user", None) is not None else None
    if scope is None:
        return {"nav_items": [], "crm_scope": None}
    items = [
        {"label": label, "url": reverse(name), "active": request.path.startswith(reverse(name)) and name != "home"}
        for label, name, roles in NAVIGATION
        if roles is None or scope.role in roles
    ]
    return {"nav_items": items, "crm_scope": scope}
