"""The scope: what one principal (user or API client) may see and change, resolved once per request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dealers.choices import DEALER_ROLES, TENANT_WIDE_ROLES, Role

API_CLIENT_ROLE = "api_client"
SYSTEM_ROLE = "system"


class ScopeError(Exception):
    """Raised when work that needs a scope is attempted without one."""


@dataclass(frozen=True)
class Scope:
    """Tenant + role + visible dealers (None means every dealer of the tenant)."""

    tenant_id: int
    role: str
    dealer_ids: frozenset[int] | None = None
    region_id: int | None = None
    user_id: int | None = None
    api_client_id: int | None = None
    may_write_api: bool = True
    api_resources: frozenset[str] | None = None

    @property
    def is_tenant_wide(self) -> bool:
        """True when the scope covers every dealer of the tenant."""
        return self.dealer_ids is None

    @property
    def single_dealer_id(self) -> int | None:
        """The one dealer of a dealer-bound scope, else None."""
        if self.dealer_ids is not None and len(self.dealer_ids) == 1:
            return next(iter(self.dealer_ids))
        return None

    def allows_resource(self, resource: str) -> bool:
        """Whether an API client limited to some resources may use this one."""
        return self.api_resources is None or resource in self.api_resources

    @property
    def is_api_client(self) -> bool:
        """True for a DMS or integration token rather than a person."""
        return self.api_client_id is not None

    def sees_dealer(self, dealer_id: int | None) -> bool:
        """Whether a dealer is inside this scope."""
        return dealer_id is not None and (self.dealer_ids is None or dealer_id in self.dealer_ids)

    def as_task_args(self) -> dict[str, Any]:
        """A JSON-safe form for handing the scope to a Celery task."""
        return {
            "tenant_id": self.tenant_id,
            "role": self.role,
            "dealer_ids": sorted(self.dealer_ids) if self.dealer_ids is not None else None,
            "region_id": self.region_id,
            "user_id": self.user_id,
            "api_client_id": self.api_client_id,
        }

    @classmethod
    def from_task_args(cls, data: dict[str, Any] | None) -> Scope:
        """Rebuild a scope handed to a task; refuses a missing or malformed one."""
        if not isinstance(data, dict) or not data.get("tenant_id") or not data.get("role"):
            raise ScopeError("A scope with tenant_id and role is required.")
        dealer_ids = data.get("dealer_ids")
        return cls(
            tenant_id=int(data["tenant_id"]),
            role=str(data["role"]),
            dealer_ids=frozenset(int(d) for d in dealer_ids) if dealer_ids is not None else None,
            region_id=data.get("region_id"),
            user_id=data.get("user_id"),
            api_client_id=data.get("api_client_id"),
        )

    @classmethod
    def system(cls, tenant_id: int) -> Scope:
        """The scope of scheduled work over a whole tenant."""
        return cls(tenant_id=tenant_id, role=SYSTEM_ROLE)


def scope_for_user(user) -> Scope | None:
    """Resolve a staff user's scope; None for a user outside any tenant or inactive."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.tenant_id:
        return None
    role = user.role
    if role in TENANT_WIDE_ROLES:
        dealer_ids = None
    elif role == Role.REGION_MANAGER:
        from dealers.models import Dealer

        dealer_ids = frozenset(
            Dealer.objects.filter(tenant_id=user.tenant_id, region_id=user.region_id).values_list("id", flat=True)
        )
    elif role in DEALER_ROLES:
        dealer_ids = frozenset({user.dealer_id})
    else:
        return None
    return Scope(
        tenant_id=user.tenant_id,
        role=role,
        dealer_ids=dealer_ids,
        region_id=user.region_id,
        user_id=user.pk,
    )


def scope_for_api_client(client) -> Scope:
    """Resolve an API client's scope: one dealer or the whole tenant, read or read/write."""
    from dealers.choices import ApiScope

    return Scope(
        tenant_id=client.tenant_id,
        role=API_CLIENT_ROLE,
        dealer_ids=frozenset({client.dealer_id}) if client.dealer_id else None,
        api_client_id=client.pk,
        may_write_api=client.access == ApiScope.WRITE,
        api_resources=frozenset(client.resources) if client.resources else None,
    )


def scope_for_request(request) -> Scope | None:
    """The scope of a Django or DRF request, resolved once and kept on the request."""
    raw = getattr(request, "_request", request)
    if not hasattr(raw, "_crm_scope"):
        client = getattr(request, "auth", None) if hasattr(request, "_request") else None
        from dealers.models import ApiClient

        if isinstance(client, ApiClient):
            raw._crm_scope = scope_for_api_client(client)
        else:
            raw._crm_scope = scope_for_user(request.user)
        if raw._crm_scope is not None:
            from . import rls

            # From here on the database itself refuses other tenants' rows (released when the request ends).
            rls.enter(raw._crm_scope.tenant_id)
    return raw._crm_scope
