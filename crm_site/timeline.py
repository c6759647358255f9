"""The customer 360 timeline: everything that happened with a customer, newest first, from every registered source.

Each app registers `TimelineSource`s (crm_site.plugins); the core reads each source's model through the scope
itself, so no source can show what the viewer may not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone

from .registry import registry
from .scope import Scope


@dataclass
class TimelineEvent:
    """One dated thing in a customer's history; `link` opens the object it is about (empty: no page)."""

    at: datetime
    kind: str
    title: str
    dealer_id: int | None = None
    dealer_name: str = ""
    object_type: str = ""
    object_id: int | None = None
    link: str = ""
    detail: dict = field(default_factory=dict)
    label: str = ""


def as_datetime(value: date | datetime) -> datetime:
    """Dates become the start of that day in the local time zone (local midnight), so events sort together."""
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


def customer_timeline(scope: Scope, customer, limit: int = 500) -> list[TimelineEvent]:
    """The customer's events from every source, newest first; every source is read through the scope."""
    events = []
    for source in registry["timeline_sources"]:
        rows = source.query(source.model.objects.scoped(scope), customer)
        for row in rows:
            event = source.event(row)
            event.kind = event.kind or source.kind
            event.label = str(source.label)
            events.append(event)
    events.sort(key=lambda e: (e.at, e.object_id or 0), reverse=True)
    return events[:limit]
