"""Vehicle, sale and service-visit imports through the dealer services; bad VINs and unknown values per column."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from customers.models import Customer
from tests.helpers import browser
from tests.vehicles.factories import VehicleFactory, VehicleModelFactory, make_vin
from vehicles.models import Sale, ServiceVisit, Vehicle, VehicleDealer

from .conftest import body, csv_bytes, read_csv, stored_errors, xlsx_bytes

EN = {"accept-language": "en"}


def test_vehicle_import_creates_then_updates_by_vin(world, upload):
    model = VehicleModelFactory(tenant=world.tenants["A"], code="CRL18")
    client = browser(world, "service_advisor")
    rows = [
        ["车架号", "车牌", "车型代码", "颜色", "交车日期", "里程"],
        [make_vin(1), "京A12345", "CRL18", "白色", "2025/3/1", "12,345 km"],
        [make_vin(2).lower(), "", "", "", "", ""],
        ["LFV2A21K0C4000001", "", "", "", "", ""],  # wrong check digit
        [make_vin(3), "京A1234", "NOPE", "", "2025-13-01", "-5"],
    ]
    _response, job = upload(client, "vehicles", csv_bytes(rows), headers=EN)
    job.refresh_from_db()
    assert (job.status, job.created_rows, job.failed_rows) == ("done", 2, 2)
    errors = stored_errors(job)
    assert list(errors[4]) == ["vin"] and "check digit" in errors[4]["vin"][0]
    assert set(errors[5]) == {"plate", "model_code", "delivered_on", "mileage_km"}
    vehicle = Vehicle.objects.get(vin=make_vin(1))
    assert (vehicle.plate, vehicle.model, vehicle.colour, str(vehicle.delivered_on), vehicle.mileage_km) == (
        "京A12345", model, "白色", "2025-03-01", 12345)
    assert VehicleDealer.objects.filter(vehicle=vehicle, dealer=world.dealers["A1"]).exists()

    _response, again = upload(client, "vehicles", csv_bytes(rows[:3]))
    again.refresh_from_db()
    assert (again.created_rows, again.updated_rows) == (0, 2)
    assert Vehicle.objects.filter(tenant=world.tenants["A"]).count() == 2


def test_sales_file_with_bad_vin_bad_mobile_and_missing_name_keeps_the_good_rows(world, upload):
    client = browser(world, "sales_consultant")
    rows = [
        ["销售单号", "交车日期", "类型", "金额", "姓名", "手机", "车架号", "车牌"],
        ["SO-1", "2025-05-01", "新车", "¥158,800.00", "张伟", "13800138001", make_vin(11), "京A11111"],
        ["SO-2", "2025-05-02", "新车", "", "李娜", "13800138002", "LFV2A21K0C400000", ""],
        ["SO-3", "2025-05-03", "二手车", "", "王芳", "1380013800", make_vin(13), ""],
        ["SO-4", "2025-05-04", "置换", "", "", "13800138004", make_vin(14), ""],
        ["", "2025-05-05", "", "99000", "赵强", "13800138005", make_vin(15), ""],
    ]
    _response, job = upload(client, "sales", csv_bytes(rows), headers=EN)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_rows, job.failed_rows) == ("done", 5, 2, 3)
    errors = stored_errors(job)
    assert errors[3] == {"vin": ["A VIN has exactly 17 characters; this one has 16."]}
    assert errors[4] == {"mobile": ["Enter an 11-digit mainland China mobile number."]}
    assert errors[5] == {"name": ["Enter the customer's name."]}
    sale = Sale.objects.get(external_id="SO-1")
    assert (sale.dealer, sale.price, sale.kind, sale.customer.name, sale.vehicle.owner) == (
        world.dealers["A1"], Decimal("158800.00"), "new", "张伟", sale.customer)
    assert Sale.objects.filter(dealer=world.dealers["A1"]).count() == 2

    # The same file again: nothing new, also for the sale without an order number (matched by VIN and date).
    _response, again = upload(client, "sales", csv_bytes(rows), headers=EN)
    again.refresh_from_db()
    assert (again.created_rows, again.updated_rows, again.failed_rows) == (0, 2, 3)
    assert Sale.objects.filter(dealer=world.dealers["A1"]).count() == 2
    assert Customer.objects.filter(tenant=world.tenants["A"]).count() == 2

    report = read_csv(body(client.get(f"/imports/{job.pk}/errors.csv", headers=EN)))
    assert [line[0] for line in report[1:]] == ["3", "4", "5"]
    assert report[1][-1] == "VIN: A VIN has exactly 17 characters; this one has 16."
    assert report[3][-1] == "name: Enter the customer's name."


def test_service_visit_import_by_vin_and_by_plate_of_a_walk_in(world, upload):
    walk_in = VehicleFactory(dealer=world.dealers["A2"], plate="沪B88888")
    client = browser(world, "service_advisor")
    opened = datetime(2025, 6, 1, 9, 30)
    rows = [
        ["工单号", "类型", "进厂时间", "结算时间", "里程", "金额", "车架号", "车牌", "姓名", "手机"],
        ["RO-1", "首保", opened, datetime(2025, 6, 1, 11, 0), 5000, 0, make_vin(21), "", "张伟", "13800138001"],
        ["RO-2", "维修", "2025-06-02 10:00", "", "", "1,280.50", "", "沪B 88888", "", ""],
        ["RO-3", "保养", "2025-06-03", "", "", "", "", "京A00000", "", ""],
        ["RO-4", "洗车", "昨天", "", "", "", "", "", "", ""],
        ["RO-5", "保养", "2025-06-05 10:00", "2025-06-04 10:00", "", "", make_vin(25), "", "", ""],
    ]
    _response, job = upload(client, "service_visits", xlsx_bytes(rows), name="工单.xlsx", headers=EN)
    job.refresh_from_db()
    assert (job.status, job.created_rows, job.failed_rows) == ("done", 2, 3)
    errors = stored_errors(job)
    assert errors[4] == {"plate": ["No vehicle with this plate: enter its VIN to register it."]}
    assert set(errors[5]) == {"kind", "opened_at", "vin"}
    assert errors[6] == {"__all__": ["A visit cannot close before it opened."]}
    first = ServiceVisit.objects.get(external_id="RO-1")
    assert (first.kind, first.opened_at, first.customer.name) == (
        "first_maintenance", timezone.make_aware(opened), "张伟")
    second = ServiceVisit.objects.get(external_id="RO-2")
    assert (second.vehicle, second.amount, second.dealer) == (walk_in, Decimal("1280.50"), world.dealers["A1"])
    assert VehicleDealer.objects.filter(vehicle=walk_in, dealer=world.dealers["A1"]).exists()

    _response, again = upload(client, "service_visits", xlsx_bytes(rows[:3]), name="工单.xlsx")
    again.refresh_from_db()
    assert (again.created_rows, again.updated_rows) == (0, 2)
    assert ServiceVisit.objects.filter(dealer=world.dealers["A1"]).count() == 2
