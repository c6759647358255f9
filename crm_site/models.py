"""Base models for tenant- and dealer-owned rows, the scoped queryset, and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .scope import Scope, ScopeError


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


class TenantOwned(models.Model):
    """A row that belongs to one tenant (automaker) and is never seen by another."""

    tenant = models.ForeignKey("dealers.Tenant", on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

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


class Notification(models.Model):
    """A message to one staff user (an alert from scheduled work), shown in the page header until read."""

    tenant = models.ForeignKey("dealers.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)
    text = models.CharField(max_length=255)
    link = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """A principal sees only its own notifications."""
        return Q(tenant_id=scope.tenant_id, user_id=scope.user_id)


class ImportJob(models.Model):
    """A CSV or XLSX file a dealer uploaded, imported row by row in the background with a progress count."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    tenant = models.ForeignKey("dealers.Tenant", on_delete=models.CASCADE, related_name="+")
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    kind = models.CharField(_("what"), max_length=32)
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    updated_rows = models.PositiveIntegerField(default=0)
    failed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=255, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """Imports of the dealers the scope sees."""
        return dealer_scope_q(scope)
