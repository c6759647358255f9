"""What the call center gives up when the tenant's keeping periods pass: call and follow-up notes, attachments."""

from __future__ import annotations

from crm_site.plugins import DataPurge

from .models import Call, Complaint, ComplaintAttachment, FollowUpTask


def blank_call_notes(tenant_id: int, before) -> int:
    """The free text of old calls and closed follow-ups; the calls and outcomes stay for the figures."""
    calls = Call.objects.filter(tenant_id=tenant_id, started_at__lt=before).exclude(notes="").update(notes="")
    tasks = FollowUpTask.objects.filter(tenant_id=tenant_id, closed_at__lt=before).exclude(notes="").update(notes="")
    return calls + tasks


def delete_old_attachments(tenant_id: int, before) -> int:
    """Photos and documents of complaints closed before the period."""
    closed = Complaint.objects.filter(tenant_id=tenant_id, status="closed", updated_at__lt=before)
    return ComplaintAttachment.objects.filter(tenant_id=tenant_id, complaint__in=closed).delete()[0]


PURGES = (
    DataPurge("call_notes", "call_notes_months", blank_call_notes),
    DataPurge("complaint_attachments", "attachments_months", delete_old_attachments),
)
