"""Plausibility of what the counter, a DMS or a file says: dates, mileages, owners, birth dates and text lengths.

Each rule lives in a service or validator; these tests check it there and where the user meets it (page, API,
bulk, import).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import timezone

from crm_site.validators import validate_birth_date, vin_check_digit
from customers.services import customer_upsert
from tests.customers.factories import CustomerFactory
from tests.helpers import browser
from tests.imports.conftest import csv_bytes, stored_errors, upload  # noqa: F401 (fixture)
from tests.vehicles.factories import VehicleFactory, VehicleModelFactory, make_vin
from vehicles.choices import OwnershipKind
from vehicles.models import Ownership, ServiceVisit, Vehicle
from vehicles.services import sale_record, service_visit_record

EN = {"accept-language": "en"}


def scope_of(world, name="service_advisor"):
    return world.principals[name].scope


def local(days: int = 0, hour: int = 10) -> datetime:
    """A time `days` from today in Asia/Shanghai."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def visit(world, vehicle, **extra):
    return service_visit_record(scope=scope_of(world), dealer_id=world.dealers["A1"].pk, kind="maintenance",
                                vin=vehicle.vin, **{"opened_at": local(-1), **extra})


def api_visit(world, api, vehicle, **extra):
    body = {"vin": vehicle.vin, "kind": "maintenance", "opened_at": local(-1).isoformat(), **extra}
    return api("service_advisor").post("/api/v1/service-visits/", body, format="json")


# --- dates -------------------------------------------------------------------------------------------------------

def test_a_visit_dated_more_than_a_day_ahead_is_refused(world):
    vehicle = VehicleFactory(dealer=world.dealers["A1"])
    visit(world, vehicle, opened_at=local(1), external_id="TOMORROW")  # a DMS clock a little ahead is fine
    with pytest.raises(ValidationError) as error:
        visit(world, vehicle, opened_at=local(2))
    assert "opened_at" in error.value.message_dict


def test_a_sale_dated_more_than_a_day_ahead_is_refused(world):
    with pytest.raises(ValidationError) as error:
        sale_record(scope=scope_of(world, "sales_consultant"), dealer_id=world.dealers["A1"].pk,
                    customer_data={"name": "王小明", "mobile": "13812345678"}, vehicle_data={"vin": make_vin(1)},
                    delivered_on=timezone.localdate() + timedelta(days=2))
    assert "delivered_on" in error.value.message_dict


def test_the_visit_page_and_the_api_refuse_a_visit_dated_ahead(world, api):
    vehicle = VehicleFactory(dealer=world.dealers["A1"])
    response = browser(world, "service_advisor").post("/vehicles/visits/new/", {
        "q": vehicle.vin, "kind": "maintenance", "opened_at": local(3).strftime("%Y-%m-%dT%H:%M")}, headers=EN)
    assert response.status_code == 200 and "more than one day in the future" in response.content.decode()
    response = api_visit(world, api, vehicle, opened_at=local(3).isoformat())
    assert response.status_code == 400 and "opened_at" in response.json()
    assert not ServiceVisit.objects.exists()


def test_the_sale_api_refuses_a_delivery_dated_ahead(world, api):
    response = api("sales_consultant").post("/api/v1/sales/", {
        "vehicle_data": {"vin": make_vin(2)}, "customer_data": {"name": "赵敏", "mobile": "13512345678"},
        "delivered_on": (timezone.localdate() + timedelta(days=5)).isoformat()}, format="json")
    assert response.status_code == 400 and "delivered_on" in response.json()


# --- mileage -------------------------------------------------------------------------------------------------------

def test_mileage_below_the_last_known_needs_a_replaced_odometer(world):
    vehicle = VehicleFactory(dealer=world.dealers["A1"], mileage_km=50_000)
    with pytest.raises(ValidationError) as error:
        visit(world, vehicle, mileage_km=40_000)
    assert "mileage_km" in error.value.message_dict and "50000" in error.value.message_dict["mileage_km"][0]
    visit(world, vehicle, mileage_km=40_000, odometer_replaced=True)
    vehicle.refresh_from_db()
    assert vehicle.mileage_km == 40_000, "a new odometer restarts the count"
    visit(world, vehicle, mileage_km=41_000, opened_at=local(0))
    vehicle.refresh_from_db()
    assert vehicle.mileage_km == 41_000


def test_an_older_visit_filed_late_is_checked_against_the_reading_before_it(world):
    vehicle = VehicleFactory(dealer=world.dealers["A1"])
    visit(world, vehicle, mileage_km=30_000, opened_at=local(-10))
    visit(world, vehicle, mileage_km=20_000, opened_at=local(-100))  # history in any order
    vehicle.refresh_from_db()
    assert vehicle.mileage_km == 30_000
    with pytest.raises(ValidationError):
        visit(world, vehicle, mileage_km=25_000, opened_at=local(-5))


def test_a_future_visit_never_becomes_the_vehicles_mileage(world):
    vehicle = VehicleFactory(dealer=world.dealers["A1"], mileage_km=10_000)
    visit(world, vehicle, mileage_km=12_000, opened_at=local(1))
    vehicle.refresh_from_db()
    assert vehicle.mileage_km == 10_000


def test_the_visit_page_asks_to_confirm_a_replaced_odometer(world):
    vehicle = VehicleFactory(dealer=world.dealers["A1"], mileage_km=50_000)
    client = browser(world, "service_advisor")
    data = {"q": vehicle.vin, "kind": "maintenance", "opened_at": local(-1).strftime("%Y-%m-%dT%H:%M"),
            "mileage_km": "100"}
    response = client.post("/vehicles/visits/new/", data, headers=EN)
    assert response.status_code == 200 and "odometer was replaced" in response.content.decode()
    assert 'name="odometer_replaced"' in response.content.decode()
    response = client.post("/vehicles/visits/new/", {**data, "odometer_replaced": "on"})
    assert response.status_code == 302
    vehicle.refresh_from_db()
    assert vehicle.mileage_km == 100


def test_the_api_refuses_a_lower_mileage_unless_the_odometer_was_replaced(world, api):
    vehicle = VehicleFactory(dealer=world.dealers["A1"], mileage_km=50_000)
    response = api_visit(world, api, vehicle, mileage_km=100)
    assert response.status_code == 400 and "mileage_km" in response.json()
    response = api_visit(world, api, vehicle, mileage_km=100, odometer_replaced=True)
    assert response.status_code == 201, response.content
    vehicle.refresh_from_db()
    assert vehicle.mileage_km == 100


def test_the_bulk_path_applies_the_date_and_mileage_rules_per_item(world, api):
    vehicle = VehicleFactory(dealer=world.dealers["A1"], mileage_km=50_000)
    items = [
        {"external_id": "B-1", "vin": vehicle.vin, "kind": "maintenance", "opened_at": local(-2).isoformat(),
         "mileage_km": 40_000},
        {"external_id": "B-2", "vin": vehicle.vin, "kind": "maintenance", "opened_at": local(5).isoformat()},
        {"external_id": "B-3", "vin": vehicle.vin, "kind": "maintenance", "opened_at": local(-1).isoformat(),
         "mileage_km": 1_000, "odometer_replaced": True},
        {"external_id": "B-4", "vin": vehicle.vin, "kind": "maintenance", "opened_at": local(1).isoformat(),
         "mileage_km": 2_000},
        {"external_id": "B-5", "vin": vehicle.vin, "kind": "maintenance", "opened_at": local(0).isoformat(),
         "mileage_km": 900},
    ]
    response = api("service_advisor").post("/api/v1/service-visits/bulk/", {"items": items}, format="json")
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["error", "error", "created", "created", "error"], results
    assert "mileage_km" in results[0]["errors"] and "opened_at" in results[1]["errors"]
    assert "mileage_km" in results[4]["errors"], "below the replaced odometer's reading earlier in the batch"
    vehicle.refresh_from_db()
    assert vehicle.mileage_km == 1_000, "the replaced odometer counts; tomorrow's visit does not"


def test_a_file_import_applies_the_date_and_mileage_rules_per_row(world, upload):  # noqa: F811 (fixture)
    vehicle = VehicleFactory(dealer=world.dealers["A1"], mileage_km=50_000)
    rows = [
        ["工单号", "类型", "进厂时间", "里程", "换表", "车架号"],
        ["RO-1", "保养", local(-1).strftime("%Y-%m-%d %H:%M"), 40_000, "", vehicle.vin],
        ["RO-2", "保养", local(4).strftime("%Y-%m-%d %H:%M"), "", "", vehicle.vin],
        ["RO-3", "保养", local(-1).strftime("%Y-%m-%d %H:%M"), 1_000, "是", vehicle.vin],
    ]
    _response, job = upload(browser(world, "service_advisor"), "service_visits", csv_bytes(rows), headers=EN)
    job.refresh_from_db()
    assert (job.created_rows, job.failed_rows) == (1, 2)
    errors = stored_errors(job)
    assert list(errors[2]) == ["mileage_km"] and list(errors[3]) == ["opened_at"]
    vehicle.refresh_from_db()
    assert vehicle.mileage_km == 1_000


# --- owners of newly registered vehicles ----------------------------------------------------------------------------

def test_an_unknown_vin_needs_its_owner_or_owner_unknown(world):
    vin = make_vin(77)
    with pytest.raises(ValidationError) as error:
        service_visit_record(scope=scope_of(world), dealer_id=world.dealers["A1"].pk, kind="repair",
                             opened_at=local(-1), vin=vin)
    assert "customer_data" in error.value.message_dict and not Vehicle.objects.filter(vin=vin).exists()
    visit_row, _created = service_visit_record(scope=scope_of(world), dealer_id=world.dealers["A1"].pk,
                                               kind="repair", opened_at=local(-1), vin=vin, owner_unknown=True)
    assert visit_row.vehicle.owner is None


def test_the_visit_page_requires_the_owner_or_owner_unknown_for_a_new_vehicle(world):
    client = browser(world, "service_advisor")
    data = {"q": make_vin(78), "kind": "repair", "opened_at": local(-1).strftime("%Y-%m-%dT%H:%M")}
    response = client.post("/vehicles/visits/new/", data, headers=EN)
    content = response.content.decode()
    assert response.status_code == 200 and "say that the owner is unknown" in content
    assert 'name="owner_unknown"' in content and not Vehicle.objects.exists()
    assert client.post("/vehicles/visits/new/", {**data, "owner_unknown": "on"}).status_code == 302
    assert Vehicle.objects.get().owner is None


def test_the_api_requires_customer_data_or_owner_unknown_for_a_new_vehicle(world, api):
    body = {"vin": make_vin(79), "kind": "repair", "opened_at": local(-1).isoformat()}
    response = api("service_advisor").post("/api/v1/service-visits/", body, format="json")
    assert response.status_code == 400 and "customer_data" in response.json()
    response = api("service_advisor").post("/api/v1/service-visits/", {**body, "owner_unknown": True}, format="json")
    assert response.status_code == 201


def test_a_first_registered_owner_is_not_a_transfer_on_the_timeline(world, api):
    visit_row, _created = service_visit_record(
        scope=scope_of(world), dealer_id=world.dealers["A1"].pk, kind="repair", opened_at=local(-1),
        vin=make_vin(80), customer_data={"name": "孙悟空", "mobile": "13900001111"})
    ownership = Ownership.objects.get(vehicle=visit_row.vehicle)
    assert ownership.kind == OwnershipKind.REGISTERED
    timeline = api("service_advisor").get(f"/api/v1/customers/{visit_row.customer_id}/timeline/").json()
    events = timeline["results"] if isinstance(timeline, dict) else timeline
    assert [e for e in events if e["kind"] == "ownership"] == []


def test_the_visit_forms_example_vin_passes_our_check_digit(world):
    content = browser(world, "service_advisor").get("/vehicles/visits/new/", headers=EN).content.decode()
    example = content.split("e.g. ", 1)[1][:17]
    assert vin_check_digit(example) == example[8]


# --- customers: birth dates and text lengths ---------------------------------------------------------------------

def test_birth_dates_lie_between_1900_and_16_years_ago():
    validate_birth_date(date(1900, 1, 1))
    with pytest.raises(ValidationError):
        validate_birth_date(date(1899, 12, 31))
    with pytest.raises(ValidationError):
        validate_birth_date(timezone.localdate() - timedelta(days=365 * 10))


def test_the_customer_service_and_api_refuse_an_implausible_birth_date(world, api):
    with pytest.raises(ValidationError) as error:
        customer_upsert(scope=scope_of(world, "dealer_manager"), dealer_id=world.dealers["A1"].pk,
                        data={"name": "李雷", "mobile": "13700001111", "birth_date": date(1850, 1, 1)})
    assert "birth_date" in error.value.message_dict
    response = api("dealer_manager").post("/api/v1/customers/", {
        "name": "李雷", "mobile": "13700001111", "birth_date": timezone.localdate().isoformat()}, format="json")
    assert response.status_code == 400 and "birth_date" in response.json()


def test_notes_longer_than_2000_characters_are_refused_not_cut(world, api):
    with pytest.raises(ValidationError) as error:
        customer_upsert(scope=scope_of(world, "dealer_manager"), dealer_id=world.dealers["A1"].pk,
                        data={"name": "韩梅梅", "mobile": "13700002222", "notes": "备" * 2001})
    assert "notes" in error.value.message_dict
    response = api("dealer_manager").post("/api/v1/customers/", {
        "name": "韩梅梅", "mobile": "13700002222", "notes": "备" * 2001}, format="json")
    assert response.status_code == 400 and "notes" in response.json()
    customer = CustomerFactory(dealer=world.dealers["A1"])
    page = browser(world, "dealer_manager").get(f"/customers/{customer.pk}/edit/", headers=EN)
    assert page.status_code == 200 and "At most 2,000 characters." in page.content.decode()


# --- display -------------------------------------------------------------------------------------------------------

def test_a_model_name_shows_its_series_once(world):
    tenant = world.tenants["A"]
    assert str(VehicleModelFactory(tenant=tenant, series="凌风", name="凌风 1.5T 豪华版", year=2023)) == (
        "凌风 1.5T 豪华版 2023")
    assert str(VehicleModelFactory(tenant=tenant, series="凌风", name="1.5T 舒适版", year=2023)) == (
        "凌风 1.5T 舒适版 2023")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_prices_and_amounts_show_a_thousands_separator(language):
    from django.utils import translation

    with translation.override(language):
        text = Template("{% load money %}{{ price|yuan }} {{ km|grouped }}").render(
            Context({"price": 189800, "km": 123456}))
    assert text == "¥189,800.00 123,456"


def test_the_customer_page_and_a_file_import_refuse_an_implausible_birth_date(world, upload):  # noqa: F811
    customer = CustomerFactory(dealer=world.dealers["A1"])
    client = browser(world, "dealer_manager")
    response = client.post(f"/customers/{customer.pk}/edit/", {
        "kind": customer.kind, "name": customer.name, "mobile": "", "birth_date": "1850-01-01"}, headers=EN)
    assert response.status_code == 200 and "from 1900-01-01 on" in response.content.decode()
    rows = [["姓名", "手机", "出生日期"], ["李雷", "13700003333", "1850-01-01"], ["韩梅梅", "13700004444", "1990-05-01"]]
    _response, job = upload(client, "customers", csv_bytes(rows), headers=EN)
    job.refresh_from_db()
    assert (job.created_rows, job.failed_rows) == (1, 1)
    assert list(stored_errors(job)[2]) == ["birth_date"]
