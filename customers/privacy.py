"""Who sees personal numbers in full (DESIGN §7): everyone else sees them masked and must reveal, which is logged."""

from __future__ import annotations

from crm_site.scope import Scope
from dealers.choices import DEALER_ROLES, Role

# People who call customers need the number; HQ and regional staff work on aggregates and see it masked.
FULL_MOBILE_ROLES = frozenset(DEALER_ROLES | {Role.CC_AGENT, Role.CC_SUPERVISOR})


def sees_full_mobile(scope: Scope) -> bool:
    """Dealer staff, call-center staff and dealer systems get mobiles in full."""
    return scope.is_api_client or scope.role in FULL_MOBILE_ROLES


def shown_mobile(scope: Scope, customer) -> str:
    """The customer's mobile as this scope may see it."""
    return customer.mobile if sees_full_mobile(scope) else customer.mobile_masked


def shown_id_number(customer) -> str:
    """ID numbers are always masked; the full number only through a logged reveal."""
    return customer.id_number_masked
