"""Landing widgets of the vehicles app: the store's day, today's visits, vehicles due for maintenance; scope, queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import browser, count_queries
from tests.vehicles.factories import SaleFactory, ServiceVisitFactory, VehicleFactory


def widget(response, code: str) -> dict:
    return next(w for w in response.context["widgets"] if w["code"] == code)


def test_store_today_counts_todays_and_this_months_deliveries_and_visits_of_the_store(world):
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    today = timezone.localdate()
    now = timezone.now()
    SaleFactory(dealer=a1, delivered_on=today)
    SaleFactory(dealer=a1, delivered_on=today.replace(day=1))
    SaleFactory(dealer=a1, delivered_on=today.replace(day=1) - timedelta(days=1))  # last month
    SaleFactory(dealer=a2, delivered_on=today)
    ServiceVisitFactory(dealer=a1, opened_at=now)
    ServiceVisitFactory(dealer=a1, opened_at=now - timedelta(days=40))
    ServiceVisitFactory(dealer=world.dealers["B1"], opened_at=now)
    data = widget(browser(world, "dealer_manager").get("/"), "store_today")
    first_is_today = today.day == 1
    assert data["sales"]["today"] == (2 if first_is_today else 1)
    assert data["sales"]["month"] == 2
    assert data["visits"]["today"] == 1


def test_todays_visits_are_the_stores_with_the_advisors_first(world):
    a1 = world.dealers["A1"]
    advisor = world.principals["service_advisor"].user
    # Times inside today's local day whatever the clock says (00:30 in Shanghai minus 50 minutes is yesterday).
    now = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(minutes=30)
    other = ServiceVisitFactory(dealer=a1, opened_at=now - timedelta(minutes=5))
    mine = ServiceVisitFactory(dealer=a1, advisor=advisor, opened_at=now - timedelta(minutes=20))
    ServiceVisitFactory(dealer=a1, opened_at=now - timedelta(days=1, hours=1))  # yesterday
    elsewhere = ServiceVisitFactory(dealer=world.dealers["A2"], opened_at=now)
    foreign = ServiceVisitFactory(dealer=world.dealers["B1"], opened_at=now)
    response = browser(world, "service_advisor").get("/")
    shown = [visit.pk for visit in widget(response, "todays_visits")["visits"]]
    assert shown[0] == mine.pk and other.pk in shown
    assert elsewhere.pk not in shown and foreign.pk not in shown
    assert elsewhere.vehicle.vin not in response.content.decode()


def test_due_for_maintenance_follows_the_150_to_210_days_rule(world):
    a1 = world.dealers["A1"]
    today = timezone.localdate()
    delivered_due = VehicleFactory(dealer=a1, delivered_on=today - timedelta(days=180))
    delivered_recent = VehicleFactory(dealer=a1, delivered_on=today - timedelta(days=100))
    serviced_recently = VehicleFactory(dealer=a1, delivered_on=today - timedelta(days=400))
    ServiceVisitFactory(dealer=a1, vehicle=serviced_recently, opened_at=timezone.now() - timedelta(days=30))
    serviced_due = VehicleFactory(dealer=a1, delivered_on=today - timedelta(days=700))
    ServiceVisitFactory(dealer=a1, vehicle=serviced_due, opened_at=timezone.now() - timedelta(days=160))
    scrapped = VehicleFactory(dealer=a1, delivered_on=today - timedelta(days=180), scrapped_on=today)
    other_dealer = VehicleFactory(dealer=world.dealers["A2"], delivered_on=today - timedelta(days=180))
    data = widget(browser(world, "service_advisor").get("/"), "due_maintenance")
    shown = [vehicle.pk for vehicle in data["vehicles"]]
    assert shown == [delivered_due.pk, serviced_due.pk]  # longest waiting first
    for vehicle in (delivered_recent, serviced_recently, scrapped, other_dealer):
        assert vehicle.pk not in shown


@pytest.mark.parametrize("name", ["dealer_manager", "service_advisor"])
def test_vehicle_widgets_run_a_constant_number_of_queries(world, name):
    a1 = world.dealers["A1"]
    client = browser(world, name)
    today = timezone.localdate()
    SaleFactory(dealer=a1, delivered_on=today)
    ServiceVisitFactory(dealer=a1, opened_at=timezone.now())
    VehicleFactory(dealer=a1, delivered_on=today - timedelta(days=170))
    few = count_queries(client, "/")
    SaleFactory.create_batch(3, dealer=a1, delivered_on=today)
    ServiceVisitFactory.create_batch(3, dealer=a1, opened_at=timezone.now())
    VehicleFactory.create_batch(3, dealer=a1, delivered_on=today - timedelta(days=170))
    assert count_queries(client, "/") == few


def test_hq_and_regions_see_todays_figures_over_their_dealers_only(world):
    from django.utils import timezone

    from tests.vehicles.factories import SaleFactory

    SaleFactory(dealer=world.dealers["A1"], delivered_on=timezone.localdate())
    SaleFactory(dealer=world.dealers["A2"], delivered_on=timezone.localdate())
    SaleFactory(dealer=world.dealers["B1"], delivered_on=timezone.localdate())
    assert widget(browser(world, "oem_admin").get("/"), "network_today")["sales"]["today"] == 2
    assert widget(browser(world, "region_manager").get("/"), "network_today")["sales"]["today"] == 1
