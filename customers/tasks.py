"""Scheduled work on leads."""

from __future__ import annotations

from celery import shared_task

from crm_site.scope import Scope
from crm_site.tasks import ScopedTask, for_each_tenant

from .leads import leads_flag_uncontacted


@shared_task(base=ScopedTask)
def leads_flag_uncontacted_task(*, scope: Scope) -> int:
    """Flag one tenant's leads not contacted within 24 hours and alert the dealer managers."""
    return leads_flag_uncontacted(scope=scope)


@shared_task
def leads_flag_uncontacted_all_tenants() -> int:
    """Beat entry point: run the check for every tenant, each with its own scope."""
    return for_each_tenant(leads_flag_uncontacted_task)
