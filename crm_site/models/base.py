"""Base models for tenant- and dealer-owned rows and the scoped queryset every request reads through."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..scope import Scope


class ScopedQuerySet(models.QuerySet):
    """A queryset that narrows itself to what a scope may see."""

    def scoped(self, scope: Scope | None) -> ScopedQuerySet:
        """Rows visible to the scope; nothing at all without a scope (fail closed)."""
        if scope is None:
            return self.none()
        return self.filter(self.model.scope_q(scope))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def dealer_scope_q(scope: Scope, field: str = "dealer_id") -> Q:
    """Rows of the tenant that belong to a dealer the scope sees (the rule of every dealer-owned table)."""
    q = Q(tenant_id=scope.tenant_id)
    if scope.dealer_ids is not None:
        q &= Q(**{f"{field}__in": scope.dealer_ids})
    return q


def tenant_key(*, db_index: bool = True) -> models.ForeignKey:
    """The tenant of a tenant-owned row; a big table whose composite indexes lead with it passes db_index=False."""
    return models.ForeignKey("dealers.Tenant", on_delete=models.PROTECT, related_name="+", editable=False,
                             db_index=db_index)


class TenantOwned(models.Model):
    """A row that belongs to one tenant (automaker) and is never seen by another."""

    tenant = tenant_key()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # No index of its own: `updated_after` always comes with the tenant (and dealer) scope, so the models that are
    # synced by it declare a (tenant, updated_at) index instead (bench/INDEXES.md).
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """The condition that keeps rows inside the scope; models narrow it further."""
        return Q(tenant_id=scope.tenant_id)


class DealerOwned(TenantOwned):
    """A row that belongs to one dealer of a tenant."""

    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer"))

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """Tenant rows of the dealers the scope sees."""
        return dealer_scope_q(scope)
