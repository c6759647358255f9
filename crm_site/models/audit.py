"""The audit log: who changed, revealed or read in bulk what (DESIGN §7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..scope import Scope, ScopeError
from .base import ScopedManager


class AuditEvent(models.Model):
    """One audited action: a change, a reveal of personal data, a bulk read (DESIGN §7)."""

    tenant = models.ForeignKey("dealers.Tenant", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_api_client = models.ForeignKey(
        "dealers.ApiClient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        indexes = [models.Index(fields=["tenant", "object_type", "object_id"], name="audit_tenant_object_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """Audit rows of the tenant."""
        return Q(tenant_id=scope.tenant_id)


def audit(scope: Scope, action: str, obj: models.Model | None = None, **detail) -> AuditEvent:
    """Record one audited action by the scope's principal."""
    if scope is None:
        raise ScopeError("Auditing needs a scope.")
    return AuditEvent.objects.create(
        tenant_id=scope.tenant_id,
        actor_user_id=scope.user_id,
        actor_api_client_id=scope.api_client_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail,
    )
