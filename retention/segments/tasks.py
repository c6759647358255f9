"""The analyses as Celery jobs: thin tasks taking the run and the launcher's scope (imported by retention.plugin)."""

from __future__ import annotations

from celery import shared_task

from crm_site.scope import Scope
from crm_site.tasks import ScopedTask

from . import jobs


@shared_task(base=ScopedTask)
def segments_run_task(run_id: int, *, scope: Scope) -> str:
    """Cluster the customers for a queued segmentation run; a repeated delivery finds it taken."""
    return jobs.segments_run(scope=scope, run_id=run_id)


@shared_task(base=ScopedTask)
def rules_run_task(run_id: int, *, scope: Scope) -> str:
    """Mine the association rules for a queued run; a repeated delivery finds it taken."""
    return jobs.rules_run(scope=scope, run_id=run_id)


TASKS = {"segments": segments_run_task, "rules": rules_run_task}
