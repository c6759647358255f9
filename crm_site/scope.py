"""The scope: what one principal (user or API client) may see and change, resolved once per request."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string

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
    # Whether the principal reads personal data (full mobiles) in full: an API client's grant, or the tenant's grant
    # for a user's role, read with the principal; None: not known yet (the organisation app looks it up when asked,
    # so a task, which is handed no grant, reads the one in force when it runs).
    personal_data: bool | None = None

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


@cache
def resolver():
    """The principal → scope resolver the organisation app provides (settings.CRM_SCOPE_RESOLVER)."""
    return import_string(settings.CRM_SCOPE_RESOLVER)


def scope_for_request(request) -> Scope | None:
    """The scope of a Django or DRF request, resolved once and kept on the request."""
    raw = getattr(request, "_request", request)
    if not hasattr(raw, "_crm_scope"):
        raw._crm_scope = resolver()(request)
        if raw._crm_scope is not None:
            from . import rls

            # From here on the database itself refuses other tenants' rows (released when the request ends).
            rls.enter(raw._crm_scope.tenant_id)
            from . import history

            # Here, not in a middleware: DRF authenticates a token inside the view, so only now is it known who acts.
            history.attach_scope(request, raw._crm_scope)
    return raw._crm_scope


def tenant_model():
    """The tenant model the organisation app provides (settings.CRM_TENANT_MODEL)."""
    return apps.get_model(settings.CRM_TENANT_MODEL)


def dealer_model():
    """The dealer model the organisation app provides (settings.CRM_DEALER_MODEL)."""
    return apps.get_model(settings.CRM_DEALER_MODEL)
