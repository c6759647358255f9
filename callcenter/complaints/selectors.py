"""Reads of complaints: the lists (overdue first), one complaint with its timeline, and the due-time lines."""

from __future__ import annotations

from django.db.models import BooleanField, Case, F, QuerySet, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from crm_site.scope import Scope

from ..models import Complaint, ComplaintAttachment, ComplaintEvent
from . import clock
from .filtersets import overdue_q


def complaints_for_list(scope: Scope, now=None) -> QuerySet[Complaint]:
    """Complaints in the scope, overdue first, then by the nearest due time, with what the list shows."""
    now = now or timezone.now()
    return (Complaint.objects.scoped(scope)
            .select_related("dealer", "customer", "category")
            .annotate(overdue=Case(When(overdue_q(now), then=Value(True)), default=Value(False),
                                   output_field=BooleanField()),
                      next_due=Coalesce(Least(F("first_contact_due"), F("resolution_due")), F("resolution_due")))
            .order_by("-overdue", F("next_due").asc(nulls_last=True), "-opened_at", "-id"))


def complaint_get(scope: Scope, pk: int) -> Complaint:
    """One complaint in the scope (Complaint.DoesNotExist otherwise, which pages and the API answer 404)."""
    return Complaint.objects.scoped(scope).select_related("dealer__region", "customer", "vehicle", "category",
                                                          "owner").get(pk=pk)


def complaint_events(complaint: Complaint) -> list[ComplaintEvent]:
    return list(ComplaintEvent.objects.filter(complaint=complaint).select_related("actor").order_by("at", "id"))


def complaint_attachments(scope: Scope, complaint: Complaint) -> QuerySet[ComplaintAttachment]:
    return ComplaintAttachment.objects.scoped(scope).filter(complaint=complaint).defer("data")


def due_lines(complaint: Complaint, events) -> dict:
    """The two due times of the current cycle, each explained in one line."""
    plan = clock.schedule(complaint, events)
    return {"first_contact": plan.first_contact, "resolution": plan.resolution}
