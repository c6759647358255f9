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
