"""Who is asking: the scope of a staff user or an API client (named in settings as CRM_SCOPE_RESOLVER)."""

from __future__ import annotations

from crm_site.scope import API_CLIENT_ROLE, Scope

from .access import PERSONAL_DATA_GRANT_ATTR, role_grant_from_row
from .choices import DEALER_ROLES, TENANT_WIDE_ROLES, ApiScope, Role
from .models import ApiClient, Dealer


def scope_for_user(user) -> Scope | None:
    """Resolve a staff user's scope; None for a user outside any tenant or inactive."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.tenant_id:
        return None
    role = user.role
    if role in TENANT_WIDE_ROLES:
        dealer_ids = None
    elif role == Role.REGION_MANAGER:
        dealer_ids = frozenset(
            Dealer.objects.filter(tenant_id=user.tenant_id, region_id=user.region_id).values_list("id", flat=True)
        )
    elif role in DEALER_ROLES:
        dealer_ids = frozenset({user.dealer_id})
    else:
        return None
    # The role's personal-data grant came with the user (dealers.backends, the token statement); a user loaded
    # some other way leaves it to dealers.access to look up when a number is shown.
    personal_data = (role_grant_from_row(role, getattr(user, PERSONAL_DATA_GRANT_ATTR))
                     if hasattr(user, PERSONAL_DATA_GRANT_ATTR) else None)
    return Scope(tenant_id=user.tenant_id, role=role, dealer_ids=dealer_ids, region_id=user.region_id,
                 user_id=user.pk, personal_data=personal_data)


def scope_for_api_client(client: ApiClient) -> Scope:
    """Resolve an API client's scope: one dealer or the whole tenant, read or read/write."""
    return Scope(
        tenant_id=client.tenant_id,
        role=API_CLIENT_ROLE,
        dealer_ids=frozenset({client.dealer_id}) if client.dealer_id else None,
        api_client_id=client.pk,
        may_write_api=client.access == ApiScope.WRITE,
        api_resources=frozenset(client.resources) if client.resources else None,
        # A store's DMS reads its own store's customers in full; a tenant-wide integration only with HQ's grant.
        personal_data=client.personal_data or client.dealer_id is not None,
    )


def resolve_scope(request) -> Scope | None:
    """The scope of a Django or DRF request: its API client's when a client token authenticated it, else its user's."""
    client = getattr(request, "auth", None) if hasattr(request, "_request") else None
    if isinstance(client, ApiClient):
        return scope_for_api_client(client)
    return scope_for_user(request.user)
