"""Scheduled work of the call center: daily follow-up generation and the lease sweep."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from crm_site.scope import Scope
from crm_site.tasks import ScopedTask, for_each_tenant

from .choices import RunSource
from .generation import followups_generate
from .queue import followups_sweep


@shared_task(base=ScopedTask)
def followups_generate_task(*, scope: Scope, on: str | None = None) -> int:
    """Generate one tenant's follow-ups for a date (ISO, default today); returns the run's id."""
    import datetime as dt

    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return followups_generate(scope=scope, on=day, source=RunSource.BEAT).pk


@shared_task
def followups_generate_all_tenants() -> int:
    """Beat entry point: generate today's follow-ups for every tenant, each with its own scope."""
    return for_each_tenant(followups_generate_task)


@shared_task(base=ScopedTask)
def followups_sweep_task(*, scope: Scope) -> list[int]:
    """Release lapsed leases and expire overdue tasks of one tenant."""
    return list(followups_sweep(tenant_id=scope.tenant_id))


@shared_task
def followups_sweep_all_tenants() -> int:
    """Beat entry point: the sweep for every tenant."""
    return for_each_tenant(followups_sweep_task)
