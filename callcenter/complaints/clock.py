"""The complaint clock: due times computed from the event history (never a running counter), and explained.

A cycle starts when the complaint is opened or reopened; waiting on the customer pauses the clock from the
"waiting" event to the "resumed" one. In working-time mode only the responsible dealer's working hours count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ClockMode, Complaint, ComplaintCommitment, ComplaintSettings, EventKind, Severity
from ..working_time import WorkingTime, calendar_for

DEFAULT_COMMITMENTS = {  # severity → (first contact hours, resolution hours), DESIGN §4
    Severity.CRITICAL: (24, 24),
    Severity.HIGH: (24, 72),
    Severity.NORMAL: (24, 120),
}


@dataclass(frozen=True)
class Clock:
    """How time is counted for one complaint: around the clock, or in a dealer's working hours."""

    working: WorkingTime | None = None

    def add(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        return self.working.add_working_time(start, amount) if self.working else start + amount

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        if end <= start:
            return dt.timedelta()
        return self.working.working_time_between(start, end) if self.working else end - start


@dataclass
class Due:
    """One due time and how it came about."""

    at: dt.datetime | None
    start: dt.datetime
    hours: int
    working: bool
    paused: dt.timedelta = dt.timedelta()
    paused_now: bool = False
    explanation: str = ""


@dataclass
class Schedule:
    first_contact: Due | None
    resolution: Due | None
    pauses: list = field(default_factory=list)


def tenant_settings(tenant_id: int) -> ComplaintSettings:
    """The tenant's complaint settings (the defaults when it has none yet)."""
    found = ComplaintSettings._base_manager.filter(tenant_id=tenant_id).first()
    return found or ComplaintSettings(tenant_id=tenant_id)


def commitment_hours(tenant_id: int, severity: str) -> tuple[int, int]:
    """First-contact and resolution hours the tenant commits to for a severity."""
    row = ComplaintCommitment._base_manager.filter(tenant_id=tenant_id, severity=severity).first()
    if row is not None:
        return row.first_contact_hours, row.resolution_hours
    return DEFAULT_COMMITMENTS[Severity(severity)]


def clock_for(complaint: Complaint, settings: ComplaintSettings | None = None) -> Clock:
    """The clock of a complaint: the tenant says calendar or working time; working time is its dealer's."""
    settings = settings or tenant_settings(complaint.tenant_id)
    if settings.clock == ClockMode.WORKING:
        return Clock(calendar_for(complaint.tenant_id, complaint.dealer_id))
    return Clock()


def pauses_from(events) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """Waiting-for-the-customer intervals from the events (an open interval ends with None)."""
    pauses, started = [], None
    for event in sorted(events, key=lambda e: (e.at, e.pk or 0)):
        if event.kind == EventKind.WAITING and started is None:
            started = event.at
        elif event.kind in (EventKind.RESUMED, EventKind.RESOLVED, EventKind.REOPENED) and started is not None:
            pauses.append((started, event.at))
            started = None
    if started is not None:
        pauses.append((started, None))
    return pauses


def due_after(clock: Clock, start: dt.datetime, amount: dt.timedelta, pauses) -> tuple[dt.datetime | None, dt.timedelta]:
    """The moment `amount` of clock time after `start`, skipping the pauses; None while paused before it is reached."""
    remaining, cursor, paused = amount, start, dt.timedelta()
    for p_start, p_end in sorted(pauses, key=lambda p: p[0]):
        if p_end is not None and p_end <= cursor:
            continue
        p_start = max(p_start, cursor)
        available = clock.between(cursor, p_start)
        if available >= remaining:
            break
        remaining -= available
        if p_end is None:
            return None, paused
        paused += clock.between(p_start, p_end) if clock.working else p_end - p_start
        cursor = p_end
    return clock.add(cursor, remaining), paused


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f}" if abs(hours - round(hours)) < 0.05 else f"{hours:.1f}"


def explain(due: Due, tz) -> str:
    """One line: "due 12-03 17:30: 72 working hours from 11-28 09:12, paused 5 h waiting for the customer"."""
    start = timezone.localtime(due.start, tz).strftime("%m-%d %H:%M")
    if due.working:
        span = _("%(hours)s working hours from %(start)s") % {"hours": due.hours, "start": start}
    else:
        span = _("%(hours)s hours from %(start)s") % {"hours": due.hours, "start": start}
    if due.at is None:
        return _("paused: %(span)s, the clock stopped while waiting for the customer") % {"span": span}
    line = _("due %(at)s: %(span)s") % {"at": timezone.localtime(due.at, tz).strftime("%m-%d %H:%M"), "span": span}
    if due.paused:
        line += _(", paused %(hours)s h waiting for the customer") % {"hours": _hours(due.paused)}
    return line


def schedule(complaint: Complaint, events, settings: ComplaintSettings | None = None) -> Schedule:
    """First-contact and resolution due times of the current cycle, from the events, with their explanations."""
    settings = settings or tenant_settings(complaint.tenant_id)
    clock = clock_for(complaint, settings)
    events = list(events)
    cycle = max((e.at for e in events if e.kind == EventKind.REOPENED), default=complaint.opened_at)
    pauses = [(a, b) for a, b in pauses_from(events) if b is None or b > cycle]
    fc_hours, res_hours = commitment_hours(complaint.tenant_id, complaint.severity)
    tz = clock.working.tz if clock.working else timezone.get_current_timezone()

    def make(hours: int) -> Due:
        at, paused = due_after(clock, cycle, dt.timedelta(hours=hours), pauses)
        due = Due(at=at, start=cycle, hours=hours, working=clock.working is not None, paused=paused,
                  paused_now=at is None)
        due.explanation = explain(due, tz)
        return due

    return Schedule(first_contact=make(fc_hours), resolution=make(res_hours), pauses=pauses)


def next_escalation(complaint: Complaint, reescalate_hours: int) -> dt.datetime | None:
    """When escalation moves the complaint up next: a due step not yet missed, or a further spell without progress."""
    if complaint.status not in ("open", "acknowledged", "reopened") or complaint.level == "hq":
        return None
    if complaint.waiting_since is not None:
        return None
    candidates = []
    if complaint.first_contact_at is None and not complaint.first_contact_escalated and complaint.first_contact_due:
        candidates.append(complaint.first_contact_due)
    if not complaint.resolution_escalated and complaint.resolution_due:
        candidates.append(complaint.resolution_due)
    if complaint.escalated_at is not None:
        since = max(complaint.escalated_at, complaint.progress_at or complaint.escalated_at)
        candidates.append(since + dt.timedelta(hours=reescalate_hours))
    return min(candidates) if candidates else None
