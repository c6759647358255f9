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
    entries = [{"label": item.label, "url": reverse(item.url_name), "active": False, "shown": item.shown_to(scope)}
               for item in registry["menu"]]
    # The longest matching prefix wins, so /customers/leads/ marks "Leads" and not also "Customers"; when that
    # entry is another role's (a consultant on the store's board), nothing is marked.
    matches = [entry for entry in entries if entry["url"] != "/" and request.path.startswith(entry["url"])]
    if matches:
        max(matches, key=lambda entry: len(entry["url"]))["active"] = True
    return {"nav_items": [entry for entry in entries if entry["shown"]], "crm_scope": scope}
