"""The nightly purge (issue 14): every registered DataPurge, with the tenant's keeping periods, as of a date."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from . import history
from .dates import months_back
from .models import AuditEvent, DataRetention
from .plugins import DataPurge
from .registry import registry
from .timeline import as_datetime


def months_before(day: dt.date, months: int) -> dt.datetime:
    """Local midnight `months` before `day`."""
    return as_datetime(months_back(day, months))


def purge_audit(tenant_id: int, before) -> int:
    """Audit rows older than the period."""
    return AuditEvent.objects.filter(tenant_id=tenant_id, at__lt=before).delete()[0]


CORE_PURGES = (DataPurge("audit_log", "audit_months", purge_audit),
               DataPurge("change_history", "history_months", history.purge_events))


def data_purge(*, tenant_id: int, on: dt.date) -> dict[str, int]:
    """Run every purge for the tenant as of `on`; returns rows removed or blanked per purge."""
    periods = DataRetention.for_tenant(tenant_id)
    done = {}
    for purge in (*CORE_PURGES, *registry["data_purges"]):
        before = months_before(on, getattr(periods, purge.period))
        with transaction.atomic():
            done[purge.name] = purge.purge(tenant_id, before)
    return done
