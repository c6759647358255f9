"""Who sees personal numbers in full (DESIGN §7): everyone else sees them masked and must reveal, which is logged."""

from __future__ import annotations

from crm_site.scope import Scope
from dealers.access import reads_full_mobiles


def sees_full_mobile(scope: Scope) -> bool:
    """The roles the tenant granted full mobiles (by default dealer and call-center staff), a store's DMS for its own
    customers and integrations HQ granted (dealers.access.reads_full_mobiles)."""
    return reads_full_mobiles(scope)


def shown_mobile(scope: Scope, customer) -> str:
    """The customer's mobile as this scope may see it."""
    return customer.mobile if sees_full_mobile(scope) else customer.mobile_masked


def mask_name(name: str) -> str:
    """A name with all but its first character hidden ("王**"), for people the viewer's dealer does not serve yet."""
    name = str(name or "").strip()
    return f"{name[:1]}{'*' * max(len(name) - 1, 1)}" if name else ""


def shown_id_number(customer) -> str:
    """ID numbers are always masked; the full number only through a logged reveal."""
    return customer.id_number_masked
