"""Template context shared by every page: the navigation entries the apps registered, as the user's role sees them."""

from __future__ import annotations

from django.urls import reverse

from .registry import registry
from .scope import scope_for_request


def navigation(request) -> dict:
    """Menu entries the current user may open, and their scope."""
    scope = scope_for_request(request) if getattr(request, "user", None) is not None else None
    if scope is None:
        return {"nav_items": [], "crm_scope": None}
    items = [
        {"label": item.label, "url": reverse(item.url_name), "active": False}
        for item in registry["menu"]
        if item.shown_to(scope)
    ]
    # The longest matching prefix wins, so /customers/leads/ marks "Leads" and not also "Customers".
    matches = [item for item in items if item["url"] != "/" and request.path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items, "crm_scope": scope}
