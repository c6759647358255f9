"""The hotline in the browser: find the caller, log the call, and from it a lead or a service booking; visits."""

from __future__ import annotations

import pytest

from callcenter.models import Call, ServiceBooking
from crm_site.models import Notification
from customers.models import Lead
from tests.customers.factories import CustomerFactory
from tests.helpers import EVERY_ROLE, browser
from tests.vehicles.factories import VehicleFactory


@pytest.fixture
def caller(world):
    a1 = world.dealers["A1"]
    customer = CustomerFactory(dealer=a1, tenant=a1.tenant, name="王芳")
    vehicle = VehicleFactory(dealer=a1, tenant=a1.tenant, owner=customer)
    return customer, vehicle


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_the_hotline_is_the_call_centers(world, name):
    assert browser(world, name).get("/callcenter/hotline/").status_code == (
        200 if name in {"cc_agent", "cc_supervisor"} else 403)


def test_an_agent_finds_the_caller_by_mobile_vin_or_plate(world, caller):
    customer, vehicle = caller
    agent = browser(world, "cc_agent")
    for key in (customer.mobile.removeprefix("+86"), vehicle.vin, vehicle.plate):
        page = agent.get("/callcenter/hotline/", {"q": key}).content.decode()
        assert "王芳" in page and f"customer={customer.pk}" in page, key


def test_log_a_call_then_send_a_lead_and_a_booking(world, caller):
    customer, vehicle = caller
    a1 = world.dealers["A1"]
    agent = browser(world, "cc_agent")
    logged = agent.post("/callcenter/hotline/", {"customer": customer.pk, "vehicle": vehicle.pk,
                                                 "category": "booking", "dealer": a1.pk, "notes": "想做保养"})
    assert logged.status_code == 302
    call = Call.objects.get()
    assert (call.direction, call.customer, call.vehicle, call.dealer, call.agent) == (
        "inbound", customer, vehicle, a1, world.principals["cc_agent"].user)
    assert "想做保养" in agent.get(logged.url).content.decode()
    agent.post(f"/callcenter/calls/{call.pk}/lead/", {"dealer": a1.pk, "notes": "想看新车"})
    lead = Lead.objects.get(customer=customer)
    assert lead.source == "hotline" and lead.dealer == a1
    bad = agent.post(f"/callcenter/calls/{call.pk}/booking/", {"dealer": a1.pk, "wanted_on": "2020-01-01",
                                                               "notes": "首保"})
    assert bad.status_code == 200 and "首保" in bad.content.decode() and not ServiceBooking.objects.exists()
    agent.post(f"/callcenter/calls/{call.pk}/booking/", {"dealer": a1.pk, "wanted_on": "2099-01-05", "notes": "首保"})
    booking = ServiceBooking.objects.get()
    assert booking.dealer == a1 and booking.customer == customer
    advisor = world.principals["service_advisor"].user
    assert Notification.objects.filter(user=advisor, kind="service_booking").exists()
    store = browser(world, "service_advisor")
    assert "王芳" in store.get("/callcenter/bookings/").content.decode()
    store.post(f"/callcenter/bookings/{booking.pk}/status/", {"status": "confirmed"})
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert browser(world, "dealer_manager").get(f"/callcenter/calls/{call.pk}/").status_code == 200


def test_a_new_caller_is_written_down_and_nothing_is_lost_on_an_error(world):
    agent = browser(world, "cc_agent")
    empty = agent.post("/callcenter/hotline/", {"category": "inquiry", "notes": "问路"})
    body = empty.content.decode()
    assert empty.status_code == 200 and "问路" in body and not Call.objects.exists()
    bad = agent.post("/callcenter/hotline/", {"category": "inquiry", "caller_number": "12345", "notes": "问路"})
    assert "12345" in bad.content.decode() and not Call.objects.exists()
    agent.post("/callcenter/hotline/", {"category": "roadside", "caller_number": "139 1234 5678",
                                        "caller_name": "陈先生"})
    assert Call.objects.get().caller_number == "+8613912345678"


def test_another_tenants_call_and_booking_answer_404(world):
    b1 = world.dealers["B1"]
    foreign = Call.objects.create(tenant=b1.tenant, dealer=b1, direction="inbound", started_at="2026-03-02T10:00Z",
                                  customer=CustomerFactory(dealer=b1, tenant=b1.tenant))
    booking = ServiceBooking.objects.create(tenant=b1.tenant, dealer=b1, customer=foreign.customer,
                                            wanted_on="2026-03-05")
    for name in ("cc_agent", "dealer_manager"):
        client = browser(world, name)
        assert client.get(f"/callcenter/calls/{foreign.pk}/").status_code == 404
        assert client.post(f"/callcenter/bookings/{booking.pk}/status/", {"status": "confirmed"}).status_code == 404
    assert browser(world, "cc_agent").post(f"/callcenter/calls/{foreign.pk}/lead/", {}).status_code == 404


def test_a_store_logs_a_key_account_visit(world, caller):
    customer, _vehicle = caller
    manager = browser(world, "dealer_manager")
    assert manager.get(f"/callcenter/customers/{customer.pk}/visit/").status_code == 200
    done = manager.post(f"/callcenter/customers/{customer.pk}/visit/", {
        "started_at": "2026-03-02T10:00", "duration_min": "90", "notes": "车队续约"})
    assert done.status_code == 302
    call = Call.objects.get()
    assert call.kind == "visit" and call.duration_s == 5400 and call.dealer == world.dealers["A1"]
    assert "Key-account visit" in browser(world, "dealer_manager").get(f"/customers/{customer.pk}/").content.decode()


def test_a_complaint_opened_from_a_call_or_a_follow_up_keeps_its_origin(world, caller):
    from callcenter.models import Complaint

    from .queue_world import rules, task

    customer, vehicle = caller
    a1 = world.dealers["A1"]
    agent = browser(world, "cc_agent")
    agent.post("/callcenter/hotline/", {"customer": customer.pk, "vehicle": vehicle.pk, "category": "complaint",
                                        "dealer": a1.pk, "notes": "保养后异响"})
    call = Call.objects.get()
    form = agent.get("/callcenter/complaints/new/", {"call": call.pk}).content.decode()
    assert "保养后异响" in form and vehicle.vin in form and f'name="call" value="{call.pk}"' in form
    done = agent.post("/callcenter/complaints/new/", {
        "call": call.pk, "customer": customer.pk, "dealer": a1.pk, "channel": "hotline", "severity": "high",
        "vehicle": vehicle.vin, "description": "保养后异响"})
    assert done.status_code == 302
    complaint = Complaint.objects.get()
    call.refresh_from_db()
    assert call.complaint == complaint and complaint.vehicle == vehicle and complaint.dealer == a1
    follow_up = task(rules(world.tenants["A"])["delivery"], customer, a1, due_on=complaint.opened_at.date())
    agent.post("/callcenter/complaints/new/", {
        "follow_up": follow_up.pk, "customer": customer.pk, "dealer": a1.pk, "channel": "follow_up",
        "severity": "normal", "description": "交车时未讲解"})
    assert Complaint.objects.get(follow_up=follow_up).channel == "follow_up"
