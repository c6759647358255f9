"""Which roles open which customer and vehicle pages (DESIGN §2); the navigation uses the same sets."""

from __future__ import annotations

from dealers.choices import DEALER_ROLES, Role

# Everyone with a scope finds customers; HQ and region roles read, the people who serve them also write.
CUSTOMER_WRITERS = frozenset(DEALER_ROLES | {Role.OEM_ADMIN, Role.CC_SUPERVISOR, Role.CC_AGENT})
# Analysts work on aggregates: they never need a personal number in full.
REVEALERS = frozenset(set(Role) - {Role.OEM_ANALYST})
LEAD_ROLES = frozenset({Role.DEALER_MANAGER, Role.SALES_CONSULTANT})
LEAD_ADMINS = frozenset({Role.DEALER_MANAGER})
SALE_ROLES = frozenset({Role.SALES_CONSULTANT, Role.DEALER_MANAGER, Role.OEM_ADMIN})
VISIT_ROLES = frozenset({Role.SERVICE_ADVISOR, Role.DEALER_MANAGER})
VEHICLE_WRITERS = frozenset(DEALER_ROLES | {Role.OEM_ADMIN})
DUPLICATE_ROLES = frozenset({Role.OEM_ADMIN, Role.DEALER_MANAGER})
