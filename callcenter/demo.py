"""The call center's demo data: today's follow-up lists, generated the way the daily run makes them."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from crm_site.scope import Scope

from .choices import RunSource
from .generation import followups_generate


def fill(tenant, log: Callable[[str], None]) -> None:
    """Run today's generation over the demo network, so agents and stores find their queues filled."""
    run = followups_generate(scope=Scope.system(tenant.pk), on=timezone.localdate(), source=RunSource.COMMAND)
    log(f"  follow-ups: {run.created_count} created, {run.skipped_count} skipped")
