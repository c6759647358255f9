"""Scheduled work of the organisation app."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from crm_site.scope import Scope
from crm_site.tasks import ScopedTask, for_each_tenant

from .models import UserToken


@shared_task(base=ScopedTask)
def tokens_purge_expired(*, scope: Scope) -> int:
    """Delete one tenant's user tokens that expired or were revoked more than a day ago."""
    cutoff = timezone.now() - timedelta(days=1)
    stale = UserToken.objects.filter(user__tenant_id=scope.tenant_id).filter(
        Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)
    )
    deleted, _detail = stale.delete()
    return deleted


@shared_task
def tokens_purge_expired_all_tenants() -> int:
    """Beat entry point: fan out the purge to every tenant, each with its own scope."""
    return for_each_tenant(tokens_purge_expired)
