"""Scheduled work on complaints: escalation, pending notices and the monthly rollups, every five minutes."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from crm_site.scope import Scope
from crm_site.tasks import ScopedTask, for_each_tenant

from .escalation import EscalationResult, complaints_escalate
from .kpis import complaints_rollup_rebuild


def complaints_escalate_and_rollup(*, scope: Scope, at: dt.datetime | None = None,
                                   rollup: bool = True) -> tuple[EscalationResult, int]:
    """One run: escalate what is due, send the notices whose time has come, rebuild the touched months."""
    result = complaints_escalate(scope=scope, at=at)
    rows = complaints_rollup_rebuild(scope=scope) if rollup else 0
    return result, rows


@shared_task(base=ScopedTask)
def complaints_escalate_task(*, scope: Scope) -> int:
    """Escalate one tenant's complaints (its system scope) and rebuild its rollups."""
    result, _rows = complaints_escalate_and_rollup(scope=scope)
    return result.count


@shared_task
def complaints_escalate_all_tenants() -> int:
    """Beat entry point: the escalation run for every active tenant, each with its own scope."""
    return for_each_tenant(complaints_escalate_task)
