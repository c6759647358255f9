"""The complaint services: numbering, the steps and their timeline, and the state rules."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from callcenter.complaints import services
from callcenter.models import ComplaintEvent, ComplaintStatus, EventKind
from crm_site.models import AuditEvent, Notification

from .factories import open_complaint

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def test_numbers_are_per_tenant_and_month(world):
    first = open_complaint(world.dealers["A1"], at=at(2026, 12, 1, 10))
    second = open_complaint(world.dealers["A2"], at=at(2026, 12, 1, 11))
    other_tenant = open_complaint(world.dealers["B1"], at=at(2026, 12, 1, 11))
    january = open_complaint(world.dealers["A1"], at=at(2027, 1, 2, 11))
    assert (first.number, second.number) == ("TS202612000001", "TS202612000002")
    assert other_tenant.number == "TS202612000001"
    assert january.number == "TS202701000001"


def test_open_computes_due_times_and_tells_the_dealer_manager(world):
    complaint = open_complaint(world.dealers["A1"], severity="high", at=at(2026, 12, 1, 10))
    assert complaint.first_contact_due == at(2026, 12, 2, 10)
    assert complaint.resolution_due == at(2026, 12, 4, 10)
    assert complaint.escalate_at == complaint.first_contact_due
    assert list(ComplaintEvent.objects.filter(complaint=complaint).values_list("kind", flat=True)) == ["opened"]
    told = set(Notification.objects.filter(kind="complaint.opened").values_list("user__username", flat=True))
    assert told == {"dealer_manager"}
    assert AuditEvent.objects.filter(action="complaint.opened", object_id=str(complaint.pk)).exists()


def test_open_refuses_a_dealer_of_another_tenant(world):
    from crm_site.scope import Scope
    from tests.customers.factories import CustomerFactory

    with pytest.raises(ValidationError) as exc:
        services.complaint_open(scope=Scope.system(world.tenants["A"].pk), channel="hotline",
                                customer=CustomerFactory(dealer=world.dealers["A1"]), dealer=world.dealers["B1"],
                                severity="normal", description="x")
    assert "dealer" in exc.value.message_dict


def test_the_whole_cycle_with_a_rejected_confirmation(world):
    scope = world.principals["dealer_manager"].scope
    complaint = open_complaint(world.dealers["A1"], severity="high", at=at(2026, 12, 1, 10))
    services.complaint_acknowledge(scope=scope, complaint=complaint, note="已致电", at=at(2026, 12, 1, 12))
    services.complaint_note(scope=scope, complaint=complaint, text="已订零件", at=at(2026, 12, 1, 13))
    services.complaint_resolve(scope=scope, complaint=complaint, resolution="更换零件", at=at(2026, 12, 2, 9))
    assert complaint.status == ComplaintStatus.RESOLVED and complaint.escalate_at is None
    agent = world.principals["cc_agent"].scope
    with pytest.raises(ValidationError):
        services.complaint_confirm(scope=agent, complaint=complaint, accepted=False, note="")
    services.complaint_confirm(scope=agent, complaint=complaint, accepted=False, note="仍有异响",
                               at=at(2026, 12, 3, 10))
    assert complaint.status == ComplaintStatus.REOPENED and complaint.reopen_count == 1
    assert complaint.first_contact_due == at(2026, 12, 4, 10)
    assert complaint.resolution_due == at(2026, 12, 6, 10)
    services.complaint_acknowledge(scope=scope, complaint=complaint, at=at(2026, 12, 3, 11))
    services.complaint_resolve(scope=scope, complaint=complaint, resolution="再次维修", at=at(2026, 12, 4, 11))
    services.complaint_confirm(scope=agent, complaint=complaint, accepted=True, at=at(2026, 12, 5, 11))
    assert complaint.status == ComplaintStatus.CLOSED
    kinds = list(ComplaintEvent.objects.filter(complaint=complaint).values_list("kind", flat=True))
    assert kinds == [EventKind.OPENED, EventKind.ACKNOWLEDGED, EventKind.NOTE, EventKind.RESOLVED,
                     EventKind.REOPENED, EventKind.ACKNOWLEDGED, EventKind.RESOLVED, EventKind.CONFIRMED]
    # The KPIs measure the first cycle.
    assert complaint.first_contact_in_time and complaint.resolution_in_time


def test_steps_out_of_order_are_refused(world):
    scope = world.principals["dealer_manager"].scope
    complaint = open_complaint(world.dealers["A1"])
    with pytest.raises(ValidationError):
        services.complaint_confirm(scope=scope, complaint=complaint, accepted=True)
    with pytest.raises(ValidationError):
        services.complaint_resume(scope=scope, complaint=complaint)
    services.complaint_wait(scope=scope, complaint=complaint)
    with pytest.raises(ValidationError):
        services.complaint_wait(scope=scope, complaint=complaint)
