"""Due times on working time across the 2026 Spring Festival, with a pause, and after a reopen (computed by hand).

The calendar is the default one: 9:00–12:00 and 13:30–18:00 (7.5 h a day), official holidays Feb 15–23 and the
make-up working Saturdays Feb 14 and Feb 28. Severity high: first contact 24 h, resolution 72 h.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from callcenter.complaints import clock, services
from callcenter.models import ClockMode, ComplaintCommitment, ComplaintSettings

from .factories import open_complaint

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def working_clock(world):
    ComplaintSettings.objects.create(tenant=world.tenants["A"], clock=ClockMode.WORKING)


def test_calendar_time_is_the_default(world):
    complaint = open_complaint(world.dealers["A1"], severity="normal", at=at(2026, 2, 12, 10))
    assert complaint.first_contact_due == at(2026, 2, 13, 10)
    assert complaint.resolution_due == at(2026, 2, 17, 10)  # 5 days, holidays or not


def test_first_contact_across_the_spring_festival(world, working_clock):
    # Feb 12 10:00–18:00 6.5 h, Feb 13 7.5 h, Sat Feb 14 (make-up) 7.5 h: 21.5 h; Feb 15–23 off; Feb 24 9:00 + 2.5 h.
    complaint = open_complaint(world.dealers["A1"], severity="high", at=at(2026, 2, 12, 10))
    assert complaint.first_contact_due == at(2026, 2, 24, 11, 30)


def test_resolution_with_a_pause_over_the_festival_and_after_a_reopen(world, working_clock):
    scope = world.principals["dealer_manager"].scope
    complaint = open_complaint(world.dealers["A1"], severity="high", at=at(2026, 2, 12, 10))
    services.complaint_acknowledge(scope=scope, complaint=complaint, at=at(2026, 2, 13, 11))
    services.complaint_wait(scope=scope, complaint=complaint, note="客户春节返乡", at=at(2026, 2, 13, 14))
    assert complaint.resolution_due is None  # paused: nothing escalates while we wait for the customer
    assert complaint.escalate_at is None
    services.complaint_resume(scope=scope, complaint=complaint, at=at(2026, 2, 24, 10))
    # Ran 10 h before the pause (Feb 12 6.5 h, Feb 13 3.5 h); 62 h from Feb 24 10:00: Feb 24 6.5, Feb 25–27 and
    # Sat Feb 28 7.5 each (36.5), Mar 2–4 7.5 each (59), Mar 5 9:00 + 3 h.
    assert complaint.resolution_due == at(2026, 3, 5, 12)
    plan = clock.schedule(complaint, complaint.events.all())
    # Paused Feb 13 14:00–18:00 (4 h), Sat Feb 14 (7.5 h), Feb 24 9:00–10:00 (1 h): 12.5 working hours.
    assert plan.resolution.explanation == ("due 03-05 12:00: 72 working hours from 02-12 10:00, "
                                           "paused 12.5 h waiting for the customer")

    services.complaint_resolve(scope=scope, complaint=complaint, resolution="更换", at=at(2026, 3, 3, 10))
    agent = world.principals["cc_agent"].scope
    services.complaint_confirm(scope=agent, complaint=complaint, accepted=False, note="不满意",
                               at=at(2026, 3, 4, 15))
    # New cycle from Mar 4 15:00 (3 h that day). First contact: Mar 5 and 6 (15 h), Mon Mar 9 9:00 + 6 h → 16:30.
    assert complaint.first_contact_due == at(2026, 3, 9, 16, 30)
    # Resolution: 3 + 7.5 × 9 working days (Mar 5–17) = 70.5 h, Mar 18 9:00 + 1.5 h → 10:30; the old pause is gone.
    assert complaint.resolution_due == at(2026, 3, 18, 10, 30)


def test_changed_commitments_and_calendar_time_are_recomputed(world):
    ComplaintCommitment.objects.create(tenant=world.tenants["A"], severity="critical", first_contact_hours=2,
                                       resolution_hours=8)
    complaint = open_complaint(world.dealers["A1"], severity="critical", at=at(2026, 2, 14, 20))
    assert complaint.first_contact_due == at(2026, 2, 14, 22)
    assert complaint.resolution_due == at(2026, 2, 15, 4)
