"""Scheduled work of the surveys: the daily invitations, per tenant with its own scope."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from crm_site.scope import Scope
from crm_site.tasks import ScopedTask, for_each_tenant

from .invitations import invitations_generate


@shared_task(base=ScopedTask)
def invitations_generate_task(*, scope: Scope, on: str | None = None) -> dict:
    """Generate one tenant's survey invitations for a date (ISO, default today)."""
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return invitations_generate(scope=scope, on=day)


@shared_task
def invitations_generate_all_tenants() -> int:
    """Beat entry point: today's survey invitations for every tenant."""
    return for_each_tenant(invitations_generate_task)
