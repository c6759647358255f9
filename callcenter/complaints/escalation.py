"""Escalation (§9.3), set-based: one UPDATE … RETURNING moves every complaint whose escalation moment has come.

Each missed step (first contact, resolution) moves a complaint one level up (dealer → region → hq) once; a further
spell without progress (tenant-editable, 24 h by default) moves it again. The UPDATE sets the next escalation
moment strictly after `at`, so a re-run at the same moment finds nothing; the events and audit rows are written by
the same statement, and only the moved rows (a handful) are then looked at in Python, for the notices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.models import AuditEvent
from crm_site.scope import Scope

from ..models import ACTIVE_STATUSES, Complaint, ComplaintEvent, EventKind
from . import clock
from .notices import notices_queue_escalated, notices_send


def reason_label(code: str) -> str:
    """The translated words for an escalation reason code."""
    labels = {"first_contact": _("First contact not made in time"), "resolution": _("Not resolved in time"),
              "no_progress": _("No progress since the last escalation")}
    return labels.get(code, code)


@dataclass
class EscalationResult:
    moved: list[dict] = field(default_factory=list)
    notices_sent: int = 0

    @property
    def count(self) -> int:
        return len(self.moved)


def escalation_sql() -> str:
    complaint = Complaint._meta.db_table
    event = ComplaintEvent._meta.db_table
    audit = AuditEvent._meta.db_table
    statuses = ", ".join(f"'{s}'" for s in ACTIVE_STATUSES)
    return f"""
    WITH due AS (
        SELECT id, level AS old_level, first_contact_escalated AS old_fc, resolution_escalated AS old_res
        FROM {complaint}
        WHERE tenant_id = %(tenant)s AND escalate_at IS NOT NULL AND escalate_at <= %(at)s
          AND level <> 'hq' AND status IN ({statuses}) AND waiting_since IS NULL
        FOR UPDATE SKIP LOCKED
    ), moved AS (
        UPDATE {complaint} AS c SET
            level = CASE c.level WHEN 'dealer' THEN 'region' ELSE 'hq' END,
            first_contact_escalated = c.first_contact_escalated
                OR (c.first_contact_at IS NULL AND c.first_contact_due <= %(at)s),
            resolution_escalated = c.resolution_escalated OR (c.resolution_due <= %(at)s),
            escalated_at = %(at)s,
            escalate_at = CASE WHEN c.level = 'region' THEN NULL ELSE LEAST(
                CASE WHEN c.first_contact_at IS NULL AND NOT c.first_contact_escalated
                          AND c.first_contact_due > %(at)s THEN c.first_contact_due END,
                CASE WHEN NOT c.resolution_escalated AND c.resolution_due > %(at)s THEN c.resolution_due END,
                %(at)s + make_interval(hours => %(hours)s)) END,
            updated_at = now()
        FROM due
        WHERE c.id = due.id
        RETURNING c.id, c.tenant_id, c.dealer_id, c.number, due.old_level, c.level AS new_level,
            CASE WHEN NOT due.old_fc AND c.first_contact_escalated THEN 'first_contact'
                 WHEN NOT due.old_res AND c.resolution_escalated THEN 'resolution'
                 ELSE 'no_progress' END AS reason
    ), events AS (
        INSERT INTO {event} (tenant_id, dealer_id, created_at, updated_at, complaint_id, kind, at, text,
                             from_level, to_level, detail)
        SELECT tenant_id, dealer_id, now(), now(), id, '{EventKind.ESCALATED.value}', %(at)s, '',
               old_level, new_level, jsonb_build_object('reason', reason, 'by_hand', false)
        FROM moved
    ), audited AS (
        INSERT INTO {audit} (tenant_id, at, action, object_type, object_id, detail)
        SELECT tenant_id, now(), 'complaint.escalated', 'callcenter.complaint', id::text,
               jsonb_build_object('number', number, 'from', old_level, 'to', new_level, 'reason', reason)
        FROM moved
    )
    SELECT id, dealer_id, number, old_level, new_level, reason FROM moved ORDER BY id
    """  # noqa: S608 (table names from _meta, values as parameters)


def complaints_escalate(*, scope: Scope, at: dt.datetime | None = None) -> EscalationResult:
    """Move every complaint of the tenant whose escalation moment has come, and send the notices now due."""
    at = at or timezone.now()
    settings = clock.tenant_settings(scope.tenant_id)
    result = EscalationResult()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(escalation_sql(), {"tenant": scope.tenant_id, "at": at,
                                              "hours": int(settings.reescalate_hours)})
            columns = [c.name for c in cursor.description]
            result.moved = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        # Every moved complaint now sits at the region or HQ: their people are told in one statement.
        texts = {reason: _("Complaint %(number)s escalated to you: %(reason)s") % {
            "number": "{number}", "reason": reason_label(reason)} for reason in
            ("first_contact", "resolution", "no_progress")}
        notices_queue_escalated(tenant_id=scope.tenant_id, moved=result.moved, texts=texts, at=at)
    result.notices_sent = notices_send(tenant_id=scope.tenant_id, at=at)
    return result
