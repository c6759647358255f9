"""The scoped viewset: every action reads through the scope and every write stays inside it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets

from crm_site.access import Permission
from crm_site.scope import Scope, scope_for_request


class ScopedViewSetMixin:
    """Applies the caller's scope to the queryset of every action (NetBox-style restrict, done once)."""

    resource: str = ""
    # Who may create and change (from the app's access.py); actions with a rule of their own name it here.
    write_permission: Permission | None = None
    action_permissions: dict[str, Permission] = {}
    # Ids are bigints; a longer number can only be unknown, and must not reach PostgreSQL as an error.
    lookup_value_regex = r"[0-9]{1,18}"

    @property
    def scope(self) -> Scope | None:
        """The caller's scope."""
        return scope_for_request(self.request)

    def get_queryset(self):
        return super().get_queryset().scoped(self.scope)

    def may_write(self, scope: Scope, obj=None) -> bool:
        """Whether the scope may create (obj None) or change this object; override for finer rules."""
        perm = self.action_permissions.get(getattr(self, "action", None) or "", self.write_permission)
        return perm is not None and perm.allows(scope)

    def ensure_in_scope(self, instance) -> None:
        """After a write, inside its transaction, the object must still be visible to the writer."""
        model = type(instance)
        if not model.objects.scoped(self.scope).filter(pk=instance.pk).exists():
            raise serializers.ValidationError({"detail": [_("The change would move this object outside your scope.")]})

    def perform_create(self, serializer):
        with transaction.atomic():
            instance = serializer.save()
            self.ensure_in_scope(instance)

    def perform_update(self, serializer):
        with transaction.atomic():
            instance = serializer.save()
            self.ensure_in_scope(instance)

    def perform_destroy(self, instance):
        # A row still referenced elsewhere raises ProtectedError, which the exception handler answers with 409.
        with transaction.atomic():
            instance.delete()


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """CRUD over a scoped model."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Read-only access to a scoped model."""
