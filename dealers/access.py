"""Who may manage the organisation (DESIGN §2): regions and dealers by HQ, staff and API clients also by dealers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm_site.access import Permission, allowed, permission
from crm_site.scope import Scope

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
# Which integrations and roles read personal data in full is HQ's decision alone (recorded in the audit log).
PERSONAL_DATA_GRANT = permission("dealers.personal_data_grant",
                                 _("Decide which integrations and roles read personal data in full"),
                                 {Role.OEM_ADMIN})

# Mobiles in full (DESIGN §7, issue 14): a per-tenant, per-role grant an OEM admin sets (dealers.models.RolePolicy,
# audited). Without a decision of the tenant, the roles that call and serve customers read them in full (dealer
# staff only ever see their own dealer's customers; walk-ins served elsewhere stay masked), HQ and regions do not.
FULL_MOBILES_BY_DEFAULT = DEALER_ROLES | {Role.CC_SUPERVISOR, Role.CC_AGENT}
PERSONAL_DATA_GRANT_ATTR = "role_full_mobiles"  # the grant read with the user in the same statement (None: default)


def role_grant_default(role: str) -> bool:
    """Whether a role reads mobiles in full when its tenant never decided."""
    return role in FULL_MOBILES_BY_DEFAULT


def role_grant_from_row(role: str, stored: bool | None) -> bool:
    """The grant as stored with the user's row (None: no decision of the tenant, the default applies)."""
    return role_grant_default(role) if stored is None else bool(stored)


def reads_full_mobiles(scope: Scope | None) -> bool:
    """The one answer to "does this principal read mobiles in full": its role's grant in its tenant (read with the
    user or token, so no query here), a store's DMS for its own customers, an integration HQ granted."""
    if scope is None:
        return False
    if scope.personal_data is not None:
        return scope.personal_data
    # A scope rebuilt outside a request (a task, a test): look the grant up once.
    from .models import ApiClient, RolePolicy

    if scope.is_api_client:
        return ApiClient.objects.filter(pk=scope.api_client_id, tenant_id=scope.tenant_id).filter(
            models.Q(personal_data=True) | models.Q(dealer__isnull=False)).exists()
    stored = RolePolicy.objects.filter(tenant_id=scope.tenant_id, role=scope.role).values_list(
        "full_mobiles", flat=True).first()
    return role_grant_from_row(scope.role, stored)


# Second factor (TOTP, issue 14): the people who see the whole tenant's customers may protect their login with a
# code app, and an OEM admin may require it per role; only HQ resets a lost phone.
SECOND_FACTOR = permission("dealers.second_factor", _("Protect my login with a code app (second factor)"),
                           {Role.OEM_ADMIN, Role.OEM_ANALYST, Role.CC_SUPERVISOR, Role.CC_AGENT}, writes=False)
SECOND_FACTOR_MANAGE = permission("dealers.second_factor_manage",
                                  _("Require the second factor for a role and reset a user's code app"),
                                  {Role.OEM_ADMIN})
SECOND_FACTOR_ROLES = SECOND_FACTOR.roles
