"""Who may manage the organisation (DESIGN §2): regions and dealers by HQ, staff and API clients also by dealers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm_site.access import permission

from .choices import DEALER_ROLES, Role

ORG_VIEW = permission("dealers.org_view", _("See the regions and dealers of the network"),
                      {Role.OEM_ADMIN, Role.OEM_ANALYST}, writes=False)
DEALER_VIEW = permission("dealers.dealer_view", _("See the dealer list"),
                         {Role.OEM_ADMIN, Role.OEM_ANALYST, Role.REGION_MANAGER}, writes=False)
ORG_EDIT = permission("dealers.org_edit", _("Add and change regions and dealers"), {Role.OEM_ADMIN})
# A dealer manager runs their own store's staff and systems; HQ runs everyone's.
STAFF_MANAGE = permission("dealers.staff_manage", _("Add, change and deactivate staff users"),
                          {Role.OEM_ADMIN, Role.DEALER_MANAGER})
API_CLIENT_MANAGE = permission("dealers.api_client_manage", _("Create, rotate and revoke API clients"),
                               {Role.OEM_ADMIN, Role.DEALER_MANAGER})


def grantable_roles(scope) -> frozenset[str]:
    """The roles this scope may give: a dealer manager only those of a store's staff, HQ every role, others none."""
    if not STAFF_MANAGE.allows(scope):
        return frozenset()
    return frozenset(DEALER_ROLES) if scope.role == Role.DEALER_MANAGER else frozenset(Role)


def may_manage_user(scope, user=None) -> bool:
    """STAFF_MANAGE, over a user whose role the scope may give (a dealer manager never touches an OEM account)."""
    roles = grantable_roles(scope)
    return bool(roles) and (user is None or user.role in roles)
