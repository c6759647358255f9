"""Template context shared by every page: the navigation for the user's role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm_site.scope import scope_for_request
from customers.views.access import DUPLICATE_ROLES, SALE_ROLES, VISIT_ROLES
from dealers.choices import Role

# (label, url name, roles that see it; None = every staff role)
NAVIGATION = [
    (_("Home"), "home", None),
    (_("Customers"), "customers:search", None),
    # A sales consultant works their own leads first (DESIGN §2); the manager watches the whole pipeline.
    (_("Leads"), "customers:lead-mine", {Role.SALES_CONSULTANT}),
    (_("Leads"), "customers:lead-board", {Role.DEALER_MANAGER}),
    (_("Record a sale"), "vehicles:sale-create", SALE_ROLES),
    (_("Record a service visit"), "vehicles:visit-create", VISIT_ROLES),
    (_("Duplicate customers"), "customers:duplicates", DUPLICATE_ROLES),
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
        {"label": label, "url": reverse(name), "active": False}
        for label, name, roles in NAVIGATION
        if roles is None or scope.role in roles
    ]
    # The longest matching prefix wins, so /customers/leads/ marks "Leads" and not also "Customers".
    matches = [item for item in items if item["url"] != "/" and request.path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items, "crm_scope": scope}
