"""Booking a service visit inside a follow-up call: shown for visit-bringing rules, saved only with 'reached'."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from callcenter.models import Call, FollowUpTask, ServiceBooking
from tests.helpers import browser

from .queue_world import at, callable_customer, rules, task

pytestmark = pytest.mark.django_db

NOW = at("2026-03-02", "10:00")


@pytest.fixture
def maintenance_call(world, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    by_code, a1 = rules(world.tenants["A"]), world.dealers["A1"]
    # The store's own reminder (worked by the dealer): its service advisor calls.
    held = task(by_code["maintenance"], callable_customer(a1, name="王芳"), a1, due_on=NOW.date())
    agent = browser(world, "service_advisor")
    assert agent.post("/callcenter/next/").url == f"/callcenter/tasks/{held.pk}/"
    return agent, held


def test_a_reached_customer_is_booked_with_the_outcome_and_the_call_stays_a_follow_up(world, maintenance_call):
    agent, held = maintenance_call
    url = f"/callcenter/tasks/{held.pk}/"
    assert 'name="booking-wanted_on"' in agent.get(url).content.decode()
    day = NOW.date() + dt.timedelta(days=3)
    agent.post(url, {"outcome": "reached", "booking-wanted_on": day.isoformat(), "booking-notes": "保养"})
    booking = ServiceBooking.objects.get()
    call = Call.objects.get(follow_up=held)
    assert (booking.call_id, booking.dealer_id, booking.wanted_on, booking.notes) == (call.pk, held.dealer_id, day,
                                                                                       "保养")
    assert call.category != "booking"
    assert FollowUpTask.objects.get(pk=held.pk).status == "done"


@pytest.mark.parametrize(("outcome", "day", "message"), [
    ("no_answer", "2026-03-05", "Only a customer who was reached"),
    ("reached", "05/03/2026", "YYYY-MM-DD"),
    ("reached", "2026-03-01", "today or a later day"),
])
def test_a_booking_that_cannot_be_made_saves_nothing_and_keeps_the_form(world, maintenance_call, outcome, day,
                                                                         message):
    agent, held = maintenance_call
    page = agent.post(f"/callcenter/tasks/{held.pk}/", {"outcome": outcome, "booking-wanted_on": day})
    body = page.content.decode()
    assert message in body and f'value="{day}"' in body
    assert not ServiceBooking.objects.exists() and not Call.objects.filter(follow_up=held).exists()
    assert FollowUpTask.objects.get(pk=held.pk).status == "claimed"


def test_a_delivery_follow_up_offers_no_booking(world, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    by_code, a1 = rules(world.tenants["A"]), world.dealers["A1"]
    held = task(by_code["delivery"], callable_customer(a1), a1, due_on=NOW.date())
    agent = browser(world, "cc_agent")
    agent.post("/callcenter/next/")
    assert 'name="booking-wanted_on"' not in agent.get(f"/callcenter/tasks/{held.pk}/").content.decode()
