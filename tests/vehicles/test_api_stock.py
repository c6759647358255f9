"""A dealer's DMS puts a vehicle in its stock through the API (in_stock_since), as imports do."""

from __future__ import annotations

import datetime as dt

from tests.vehicles.factories import make_vin
from vehicles.models import Vehicle


def test_the_dms_receives_a_vehicle_into_its_stock(world, api, car_model):
    vin = make_vin(424_242)
    response = api("client_dealer_write").post("/api/v1/vehicles/", {
        "vin": vin, "model": car_model.pk, "in_stock_since": "2026-11-20"}, format="json")
    assert response.status_code == 201, response.content
    vehicle = Vehicle.objects.get(vin=vin)
    assert vehicle.stock_dealer == world.dealers["A1"] and vehicle.in_stock_since == dt.date(2026, 11, 20)
    later = api("client_dealer_write").patch(f"/api/v1/vehicles/{vehicle.pk}/", {"in_stock_since": "2026-11-25"},
                                             format="json")
    assert later.status_code == 200, later.content
    vehicle.refresh_from_db()
    assert vehicle.in_stock_since == dt.date(2026, 11, 25)
