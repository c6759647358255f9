"""The stock state is set by the vehicle import (入库日期) and shown by the vehicle API."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import browser
from tests.imports.conftest import csv_bytes, upload  # noqa: F401 (the upload fixture)
from tests.vehicles.factories import VehicleFactory, make_vin
from vehicles.models import Vehicle, vehicle_stock_receive

pytestmark = pytest.mark.django_db


def test_the_vehicle_import_puts_a_vehicle_in_the_importing_dealers_stock(world, upload):  # noqa: F811
    rows = [["车架号", "车型代码", "入库日期"], [make_vin(41), "", "2026-05-02"], [make_vin(42), "", ""]]
    _response, job = upload(browser(world, "service_advisor"), "vehicles", csv_bytes(rows))
    job.refresh_from_db()
    assert (job.status, job.created_rows) == ("done", 2)
    stocked, unknown = Vehicle.objects.get(vin=make_vin(41)), Vehicle.objects.get(vin=make_vin(42))
    assert (stocked.stock_dealer_id, stocked.in_stock_since, stocked.stock_state) == (
        world.dealers["A1"].pk, dt.date(2026, 5, 2), "in_stock")
    assert (unknown.stock_dealer_id, unknown.stock_state) == (None, "")


def test_the_vehicle_api_shows_the_stock_state(world, api):
    car = VehicleFactory(dealer=world.dealers["A1"], delivered_on=None)
    vehicle_stock_receive(vehicle_id=car.pk, dealer_id=world.dealers["A1"].pk, since=dt.date(2026, 5, 2))
    body = api("client_dealer_read").get(f"/api/v1/vehicles/{car.pk}/").json()
    assert (body["stock_state"], body["stock_dealer"], body["in_stock_since"]) == (
        "in_stock", world.dealers["A1"].pk, "2026-05-02")
