"""Acting on the figures: "call them" creates win-back follow-ups; staff KPIs and the stock count what they say."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from callcenter.models import FollowUpTask
from callcenter.rules import rules_create_defaults
from customers.choices import LeadStage
from tests.customers.factories import LeadFactory
from tests.helpers import browser
from tests.vehicles.factories import SaleFactory, VehicleFactory, VehicleModelFactory
from vehicles.models import Vehicle, vehicle_stock_receive

from .helpers import T, build, sold, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def lapsed_fleet(world):
    a1 = world.dealers["A1"]
    rules_create_defaults(a1.tenant)
    cars = [sold(a1, dt.date(2024, 12, 1)) for _n in range(3)]
    build(a1)
    return cars


def test_call_them_turns_the_lapsed_list_into_win_back_tasks_once(world, lapsed_fleet):
    a1 = world.dealers["A1"]
    client = browser(world, "dealer_manager")
    url = f"/retention/dealers/{a1.pk}/call/"
    response = client.post(url, {"as_of": T.isoformat(), "state": "lapsed"}, follow=True)
    (message,) = [str(m) for m in response.context["messages"]]
    tasks = FollowUpTask.objects.filter(tenant=a1.tenant, rule__code="win_back")
    first = tasks.count()
    # Every lapsed customer is either given a task or counted as skipped (no marketing consent, do-not-call…).
    assert message.startswith(f"{first} ") or message.startswith(f"已创建 {first}") or str(first) in message
    assert {t.vehicle_id for t in tasks} <= {car.pk for car in lapsed_fleet}
    client.post(url, {"as_of": T.isoformat(), "state": "lapsed"})
    assert tasks.count() == first  # idempotent: one task per rule × vehicle × occurrence


@pytest.mark.parametrize("name", ["oem_analyst", "sales_consultant", "cc_agent"])
def test_call_them_is_refused_to_who_may_not_create_tasks(world, lapsed_fleet, name):
    response = browser(world, name).post(f"/retention/dealers/{world.dealers['A1'].pk}/call/",
                                         {"as_of": T.isoformat(), "state": "lapsed"})
    assert response.status_code == 403


def test_call_them_for_another_dealer_is_404(world, lapsed_fleet):
    response = browser(world, "dealer_manager").post(f"/retention/dealers/{world.dealers['A2'].pk}/call/",
                                                     {"as_of": T.isoformat(), "state": "lapsed"})
    assert response.status_code == 404


def test_call_them_needs_a_list(world, lapsed_fleet):
    response = browser(world, "dealer_manager").post(f"/retention/dealers/{world.dealers['A1'].pk}/call/",
                                                     {"as_of": T.isoformat(), "state": "active"})
    assert response.status_code == 400


def test_staff_kpis_count_the_month(world):
    a1 = world.dealers["A1"]
    consultant = world.principals["sales_consultant"].user
    advisor = world.principals["service_advisor"].user
    lead = LeadFactory(dealer=a1, assigned_to=consultant)
    lead.stage, lead.stage_changed_at = LeadStage.WON, timezone.now()
    lead.save()
    LeadFactory(dealer=a1, assigned_to=consultant)
    SaleFactory(dealer=a1, consultant=consultant, delivered_on=timezone.localdate())
    car = sold(a1, dt.date(2024, 1, 1))
    today = timezone.localdate()
    visit(car, a1, today.replace(day=1), hour=9, advisor=advisor, amount=300)
    visit(car, a1, today.replace(day=1) - dt.timedelta(days=40), hour=9, advisor=advisor, amount=100)
    body = browser(world, "dealer_manager").get("/retention/staff/").content.decode()
    assert "50.0%" in body  # one of two leads won
    from retention.staff import advisor_kpis, consultant_kpis

    scope = world.principals["dealer_manager"].scope
    (c,) = [k for k in consultant_kpis(scope, today) if k.user == consultant]
    assert (c.leads, c.won, c.deliveries) == (2, 1, 1)
    (a,) = [k for k in advisor_kpis(scope, today) if k.user == advisor]
    assert (a.visits, a.amount, a.returning) == (1, 300, 1)


def test_stock_buckets_by_days_in_stock_and_ends_at_delivery(world):
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    model = VehicleModelFactory(tenant=a1.tenant, series="凯美瑞")
    today = timezone.localdate()
    ages = {"fresh": 0, "month": 31, "quarter": 91}
    units = {}
    for key, days in ages.items():
        car = VehicleFactory(dealer=a1, delivered_on=None, owner=None, model=model)
        vehicle_stock_receive(vehicle_id=car.pk, dealer_id=a1.pk, since=today - dt.timedelta(days=days))
        units[key] = car
    sold_car = VehicleFactory(dealer=a1, delivered_on=today, model=model)
    vehicle_stock_receive(vehicle_id=sold_car.pk, dealer_id=a1.pk, since=today - dt.timedelta(days=5))
    other = VehicleFactory(dealer=a2, delivered_on=None, owner=None)
    vehicle_stock_receive(vehicle_id=other.pk, dealer_id=a2.pk, since=today)
    from retention.staff import stock_summary

    (row,) = stock_summary(world.principals["dealer_manager"].scope, today, "dealer")
    assert (row["key"], row["total"], row["buckets"]) == (a1.pk, 3, [1, 1, 0, 1])
    assert Vehicle.objects.get(pk=units["quarter"].pk).stock_state == "in_stock"
    assert Vehicle.objects.get(pk=sold_car.pk).stock_state == "sold"
    body = browser(world, "dealer_manager").get("/retention/stock/").content.decode()
    assert units["quarter"].vin in body and other.vin not in body
    assert other.vin in browser(world, "oem_analyst").get("/retention/stock/").content.decode()
