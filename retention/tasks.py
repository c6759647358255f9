"""Scheduled retention builds: every night for the day, and at each month end (kept for the trend and lists)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from crm_site.scope import Scope
from crm_site.tasks import ScopedTask, for_each_tenant

from .snapshot import snapshot_build
from .value import customer_value_build


@shared_task(base=ScopedTask)
def retention_build_task(*, scope: Scope, as_of: str | None = None) -> int:
    """Build one tenant's snapshot for a date (ISO, default yesterday: a complete day); returns its id."""
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate() - dt.timedelta(days=1)
    snapshot = snapshot_build(scope=scope, as_of=day)
    if as_of is None:  # the nightly run: customer values follow the newest snapshot
        customer_value_build(scope=scope, as_of=day)
    return snapshot.pk


@shared_task
def retention_build_all_tenants() -> int:
    """Beat entry point, nightly: yesterday's snapshot for every tenant (a month end when yesterday was one)."""
    return for_each_tenant(retention_build_task)


@shared_task
def retention_month_end_all_tenants() -> int:
    """Beat entry point on the 1st: rebuild last month's end, so late repair orders of its last days count."""
    last_month_end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return for_each_tenant(retention_build_task, as_of=last_month_end.isoformat())
