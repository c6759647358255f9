"""Notifications: a message to one staff user, shown in the page header until read, sent by `notify()`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..scope import Scope
from .base import ScopedManager


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


def notify(*, tenant_id: int, users, kind: str, text, link: str = "") -> int:
    """Send one message to each of these users (a queryset or list); returns how many were sent."""
    rows = [Notification(tenant_id=tenant_id, user_id=getattr(user, "pk", user), kind=kind, text=str(text)[:255],
                         link=link) for user in users]
    Notification.objects.bulk_create(rows)
    return len(rows)
