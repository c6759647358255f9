"""Escalation with a frozen clock (--at): the right moment, each step once, and the right people told."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import call_command

from callcenter.complaints import services
from callcenter.complaints.escalation import complaints_escalate
from callcenter.models import ComplaintEvent, ComplaintNotice, Level
from crm_site.models import Notification
from crm_site.scope import Scope

from .factories import open_complaint

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def escalate(moment: dt.datetime) -> str:
    out = StringIO()
    call_command("escalate_complaints", "--tenant", "tenant-a", "--at", moment.isoformat(), stdout=out)
    return out.getvalue()


def told(kind: str = "complaint.escalated") -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_missed_first_contact_moves_one_level_once_at_the_right_moment(world):
    complaint = open_complaint(world.dealers["A1"], at=at(2026, 12, 1, 10))  # Tuesday; first contact due Wed 10:00
    assert "escalated=0" in escalate(at(2026, 12, 2, 9, 59))
    assert "escalated=1" in escalate(at(2026, 12, 2, 10))
    assert "escalated=0" in escalate(at(2026, 12, 2, 10))  # the same moment again changes nothing
    assert "escalated=0" in escalate(at(2026, 12, 2, 16))
    complaint.refresh_from_db()
    assert complaint.level == Level.REGION and complaint.first_contact_escalated
    event = ComplaintEvent.objects.get(complaint=complaint, kind="escalated")
    assert (event.from_level, event.to_level, event.detail["reason"]) == ("dealer", "region", "first_contact")
    # Only the region's manager is told (the dealer manager was told when it opened; HQ is not concerned yet).
    assert told() == ["region_manager"]


def test_a_further_day_without_progress_moves_it_to_hq_and_tells_hq_only(world):
    complaint = open_complaint(world.dealers["A1"], at=at(2026, 12, 1, 10))
    escalate(at(2026, 12, 2, 10))
    assert "escalated=0" in escalate(at(2026, 12, 3, 9, 59))
    assert "escalated=1" in escalate(at(2026, 12, 3, 10))
    complaint.refresh_from_db()
    assert complaint.level == Level.HQ and complaint.escalate_at is None
    assert told() == ["cc_supervisor", "oem_admin", "region_manager"]
    assert "escalated=0" in escalate(at(2026, 12, 30, 10))  # HQ is the top
    assert ComplaintEvent.objects.filter(complaint=complaint, kind="escalated").count() == 2


def test_progress_defers_the_next_move_and_a_missed_resolution_escalates(world):
    scope = world.principals["dealer_manager"].scope
    complaint = open_complaint(world.dealers["A1"], severity="critical", at=at(2026, 12, 1, 10))
    services.complaint_acknowledge(scope=scope, complaint=complaint, at=at(2026, 12, 1, 11))
    assert "escalated=0" in escalate(at(2026, 12, 2, 9))
    assert "escalated=1" in escalate(at(2026, 12, 2, 10))  # critical: resolution within 24 h, missed
    complaint.refresh_from_db()
    assert complaint.level == Level.REGION and complaint.resolution_escalated
    services.complaint_note(scope=scope, complaint=complaint, text="零件已到", at=at(2026, 12, 2, 20))
    assert "escalated=0" in escalate(at(2026, 12, 3, 10))  # the note was progress: 24 h from it, not from the move
    assert "escalated=1" in escalate(at(2026, 12, 3, 20))


def test_resolved_and_waiting_complaints_do_not_escalate(world):
    scope = world.principals["dealer_manager"].scope
    resolved = open_complaint(world.dealers["A1"], at=at(2026, 12, 1, 10))
    services.complaint_resolve(scope=scope, complaint=resolved, resolution="已处理", at=at(2026, 12, 1, 12))
    waiting = open_complaint(world.dealers["A1"], at=at(2026, 12, 1, 10))
    services.complaint_wait(scope=scope, complaint=waiting, at=at(2026, 12, 1, 12))
    assert "escalated=0" in escalate(at(2026, 12, 20, 10))


def test_notices_wait_for_working_hours_unless_critical(world):
    region_manager = world.principals["region_manager"].user
    region_manager.email = "region@example.com"
    region_manager.save()
    # Friday 18:30: first contact due Saturday 18:30, outside anyone's working hours.
    normal = open_complaint(world.dealers["A1"], at=at(2026, 12, 4, 18, 30))
    escalate(at(2026, 12, 5, 18, 30))
    normal.refresh_from_db()
    assert normal.level == Level.REGION
    assert told() == [] and ComplaintNotice.objects.filter(sent_at__isnull=True).count() == 1
    assert ComplaintNotice.objects.get().send_after == at(2026, 12, 7, 9)
    assert mail.outbox == []
    escalate(at(2026, 12, 7, 9))  # Monday morning: the notice goes out (and the complaint moves on to HQ)
    assert "region_manager" in told()
    assert [m.to for m in mail.outbox] == [["region@example.com"]]
    critical = open_complaint(world.dealers["A1"], severity="critical", at=at(2026, 12, 11, 20))
    mail.outbox.clear()
    escalate(at(2026, 12, 12, 20))  # Saturday night, but critical: at once
    critical.refresh_from_db()
    assert critical.level == Level.REGION
    assert [m.to for m in mail.outbox] == [["region@example.com"]]


def test_other_tenants_complaints_are_untouched(world):
    other = open_complaint(world.dealers["B1"], at=at(2026, 12, 1, 10))
    complaints_escalate(scope=Scope.system(world.tenants["A"].pk), at=at(2026, 12, 9, 10))
    other.refresh_from_db()
    assert other.level == Level.DEALER


def test_manual_escalation_needs_a_reason_and_tells_the_new_level(world):
    import pytest
    from django.core.exceptions import ValidationError

    scope = world.principals["cc_agent"].scope
    complaint = open_complaint(world.dealers["A1"], severity="critical", at=at(2026, 12, 1, 10))
    with pytest.raises(ValidationError):
        services.complaint_escalate(scope=scope, complaint=complaint, reason=" ")
    services.complaint_escalate(scope=scope, complaint=complaint, reason="客户投诉媒体", at=at(2026, 12, 1, 11))
    assert complaint.level == Level.REGION
    assert told() == ["region_manager"]


def test_the_beat_task_runs_every_tenant_with_its_own_scope(world):
    import pytest

    from callcenter.complaints.tasks import complaints_escalate_all_tenants, complaints_escalate_task
    from crm_site.scope import ScopeError

    late_a = open_complaint(world.dealers["A1"], at=at(2020, 1, 1, 10))
    late_b = open_complaint(world.dealers["B1"], at=at(2020, 1, 1, 10))
    with pytest.raises(ScopeError):
        complaints_escalate_task.delay()
    assert complaints_escalate_all_tenants() == 2
    late_a.refresh_from_db()
    late_b.refresh_from_db()
    assert late_a.level == late_b.level == Level.REGION
