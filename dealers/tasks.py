"""Scheduled work of the organisation app."""

from __future__ import annotations

from celery import shared_task

from crm_site.scope import Scope
from crm_site.tasks import ScopedTask, for_each_tenant

from .services import user_tokens_purge


@shared_task(base=ScopedTask)
def tokens_purge_expired(*, scope: Scope) -> int:
    """Delete one tenant's user tokens that expired or were revoked more than a day ago."""
    return user_tokens_purge(scope=scope)


@shared_task
def tokens_purge_expired_all_tenants() -> int:
    """Beat entry point: fan out the purge to every tenant, each with its own scope."""
    return for_each_tenant(tokens_purge_expired)


@shared_task(base=ScopedTask)
def data_purge_task(*, scope: Scope) -> dict:
    """Purge what one tenant keeps no longer (its keeping periods, as of today)."""
    from django.utils import timezone

    from crm_site.purge import data_purge

    return data_purge(tenant_id=scope.tenant_id, on=timezone.localdate())


@shared_task
def data_purge_all_tenants() -> int:
    """Beat entry point: the nightly purge for every tenant, each with its own scope."""
    return for_each_tenant(data_purge_task)
