"""Change history of vehicles: the API, a DMS batch and a page record who and through what; service visits (not
tracked) move the mileage without events; the panel is seen by those who see the vehicle, never by another tenant."""

from __future__ import annotations

from tests.helpers import browser, htmx
from tests.vehicles.factories import VehicleFactory, make_vin
from vehicles.models import Vehicle, VehicleHistory


def events(vehicle):
    return list(VehicleHistory.objects.filter(pgh_obj_id=vehicle.pk).order_by("pgh_id"))


def test_a_change_through_the_api_is_recorded_with_who(world, api):
    vehicle = VehicleFactory(dealer=world.dealers["A1"], colour="白")
    response = api("service_advisor").patch(f"/api/v1/vehicles/{vehicle.pk}/", {"colour": "黑"}, format="json")
    assert response.status_code == 200, response.content
    event = events(vehicle)[-1]
    assert (event.pgh_label, event.colour, event.pgh_context["channel"]) == ("update", "黑", "api")
    assert event.pgh_context["user"] == world.principals["service_advisor"].user.pk


def test_a_dms_batch_is_recorded_as_bulk(world, api):
    known = VehicleFactory(dealer=world.dealers["A1"], colour="白")
    response = api("client_dealer_write").post("/api/v1/vehicles/bulk/", {"items": [
        {"vin": known.vin, "colour": "红"},
        {"vin": make_vin(77), "colour": "蓝"},
    ]}, format="json")
    assert response.status_code == 200, response.content
    assert [r["status"] for r in response.json()["results"]] == ["updated", "created"], response.content
    changed = events(known)[-1]
    assert (changed.colour, changed.pgh_context["channel"]) == ("红", "bulk")
    assert changed.pgh_context["api_client"] == world.principals["client_dealer_write"].client.pk
    created = Vehicle.objects.get(vin=make_vin(77))
    assert [(e.pgh_label, e.pgh_context["channel"]) for e in events(created)] == [("insert", "bulk")]


def test_service_visits_move_the_mileage_without_history(world, api):
    vehicle = VehicleFactory(dealer=world.dealers["A1"], mileage_km=1_000)
    before = len(events(vehicle))
    response = api("service_advisor").post("/api/v1/service-visits/bulk/", {"items": [
        {"external_id": "RO-H1", "vin": vehicle.vin, "kind": "maintenance", "opened_at": "2025-06-01T09:30:00+08:00",
         "mileage_km": 5_000}]}, format="json")
    assert response.status_code == 200, response.content
    vehicle.refresh_from_db()
    assert vehicle.mileage_km == 5_000 and len(events(vehicle)) == before


def test_the_panel_names_the_change_and_stays_in_the_tenant(world, api):
    vehicle = VehicleFactory(dealer=world.dealers["A1"], colour="白")
    api("service_advisor").patch(f"/api/v1/vehicles/{vehicle.pk}/", {"colour": "黑"}, format="json")
    panel = htmx(browser(world, "dealer_manager"), "get", f"/history/vehicle/{vehicle.pk}/")
    text = panel.content.decode()
    assert panel.status_code == 200 and "白" in text and "黑" in text
    assert str(world.principals["service_advisor"].user) in text
    page = browser(world, "dealer_manager").get(f"/vehicles/{vehicle.pk}/").content.decode()
    assert f'hx-get="/history/vehicle/{vehicle.pk}/"' in page
    foreign = VehicleFactory(dealer=world.dealers["B1"])
    assert browser(world, "oem_admin").get(f"/history/vehicle/{foreign.pk}/").status_code == 404
    assert browser(world, "dealer_manager").get(f"/history/vehicle/{VehicleFactory(dealer=world.dealers['A2']).pk}/"
                                                ).status_code == 404


def test_another_dealers_staff_are_named_by_kind_only(world, api):
    vehicle = VehicleFactory(dealer=world.dealers["A1"], colour="白")
    api("cc_agent").patch(f"/api/v1/vehicles/{vehicle.pk}/", {"colour": "灰"}, format="json")
    text = htmx(browser(world, "dealer_manager"), "get", f"/history/vehicle/{vehicle.pk}/").content.decode()
    assert str(world.principals["cc_agent"].user) not in text
