"""POST /<resource>/bulk/: per-item results, partial failure, idempotency, limits and the dealer scope."""

from __future__ import annotations

import pytest

from customers.models import Customer, CustomerDealer
from tests.customers.factories import CustomerFactory
from tests.vehicles.factories import VehicleFactory, make_vin
from vehicles.models import Sale, ServiceVisit, Vehicle, VehicleDealer

OPENED = "2025-06-01T09:30:00+08:00"


def bulk(api, name, resource, items):
    return api(name).post(f"/api/v1/{resource}/bulk/", {"items": items}, format="json")


def visit(n, **extra):
    # The VINs are new to the network: registering them without an owner has to be said (owner_unknown).
    return {"external_id": f"RO-{n}", "vin": make_vin(n), "kind": "maintenance", "opened_at": OPENED,
            "closed_at": "2025-06-01T17:00:00+08:00", "mileage_km": 1000 + n, "amount": f"{300 + n}.50",
            "owner_unknown": True} | extra


@pytest.mark.parametrize("resource", ["customers", "vehicles", "sales", "service-visits"])
def test_more_than_1000_items_answer_413(api, resource):
    response = bulk(api, "oem_admin", resource, [{}] * 1001)
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


@pytest.mark.parametrize("body", [{"items": "x"}, {"items": {"a": 1}}, {}, [1, 2]])
def test_a_batch_must_be_a_list_of_items(api, body):
    response = api("oem_admin").post("/api/v1/service-visits/bulk/", body, format="json")
    assert response.status_code == 400 and "items" in response.json()


def test_readers_cannot_post_batches(api):
    assert bulk(api, "client_dealer_read", "service-visits", [visit(1)]).status_code == 403
    assert bulk(api, "oem_analyst", "customers", []).status_code == 403
    assert bulk(api, "sales_consultant", "service-visits", [visit(1)]).status_code == 403


def test_visit_batch_keeps_good_items_and_reports_bad_ones(api, a1):
    items = [
        visit(1),
        visit(2, kind="nonsense"),
        visit(3, vin="LFV2A21K0C0000003"),
        visit(4, closed_at="2025-06-01T08:00:00+08:00"),
        "not an object",
        visit(5, amount="-1"),
        visit(6, opened_at="yesterday"),
        visit(7, vin=None, plate="京A99999"),
        visit(8, mileage_km="many"),
        visit(9),
    ]
    response = bulk(api, "client_dealer_write", "service-visits", items)
    assert response.status_code == 200, response.content
    body = response.json()
    results = body["results"]
    assert [r["index"] for r in results] == list(range(10))
    assert [r["status"] for r in results] == ["created"] + ["error"] * 8 + ["created"]
    assert (body["created"], body["updated"], body["failed"]) == (2, 0, 8)
    expected_fields = ["kind", "vin", "closed_at", "non_field_errors", "amount", "opened_at", "plate", "mileage_km"]
    assert [next(iter(r["errors"])) for r in results[1:9]] == expected_fields
    assert ServiceVisit.objects.filter(dealer=a1).count() == 2
    saved = ServiceVisit.objects.get(pk=results[0]["id"])
    assert saved.external_id == "RO-1" and str(saved.amount) == "301.50" and saved.vehicle.vin == make_vin(1)
    # unknown VINs were registered and linked to the dealer
    assert VehicleDealer.objects.filter(vehicle__vin__in=[make_vin(1), make_vin(9)], dealer=a1).count() == 2


def test_visit_batch_twice_creates_nothing_twice(api, a1):
    items = [visit(n) for n in range(20)] + [visit(99, external_id="")]
    first = bulk(api, "client_dealer_write", "service-visits", items).json()
    assert first["created"] == 21
    counts = (ServiceVisit.objects.count(), Vehicle.objects.count(), VehicleDealer.objects.count())
    second = bulk(api, "client_dealer_write", "service-visits", items[:20]).json()
    assert (second["created"], second["updated"], second["failed"]) == (0, 20, 0)
    assert [r["id"] for r in second["results"]] == [r["id"] for r in first["results"][:20]]
    assert (ServiceVisit.objects.count(), Vehicle.objects.count(), VehicleDealer.objects.count()) == counts
    # a changed value is written; an item without an external id is always a new visit
    third = bulk(api, "client_dealer_write", "service-visits", [visit(0, amount="999.00"), items[-1]]).json()
    assert [r["status"] for r in third["results"]] == ["updated", "created"]
    assert str(ServiceVisit.objects.get(pk=third["results"][0]["id"]).amount) == "999.00"
    assert ServiceVisit.objects.count() == counts[0] + 1


def test_visit_batch_links_walk_ins_and_raises_mileage(api, world, a1):
    car = VehicleFactory(dealer=world.dealers["A2"], plate="粤B12345", mileage_km=5000)
    items = [visit(1, vin=None, plate="粤B 12345", mileage_km=8000), visit(2, vin=car.vin.lower(), mileage_km=7000)]
    response = bulk(api, "service_advisor", "service-visits", items).json()
    assert [r["status"] for r in response["results"]] == ["created", "created"]
    assert ServiceVisit.objects.filter(vehicle=car, customer=car.owner, dealer=a1).count() == 2
    assert VehicleDealer.objects.filter(vehicle=car, dealer=a1).count() == 1
    assert CustomerDealer.objects.filter(customer=car.owner, dealer=a1).count() == 1
    car.refresh_from_db()
    assert car.mileage_km == 8000


def test_visit_batch_respects_the_dealer_scope(api, world, a1):
    a2, b1 = world.dealers["A2"], world.dealers["B1"]
    response = bulk(api, "client_dealer_write", "service-visits",
                    [visit(1, dealer=a2.pk), visit(2), visit(3, dealer=a1.pk)]).json()
    assert [r["status"] for r in response["results"]] == ["error", "created", "created"]
    assert "dealer" in response["results"][0]["errors"]
    response = bulk(api, "client_tenant_write", "service-visits",
                    [visit(4), visit(5, dealer=b1.pk), visit(6, dealer=a2.pk)]).json()
    assert [r["status"] for r in response["results"]] == ["error", "error", "created"]
    assert "dealer" in response["results"][0]["errors"] and "dealer" in response["results"][1]["errors"]
    hidden = VehicleFactory(dealer=a2)
    response = bulk(api, "service_advisor", "service-visits", [visit(7, vin=None, vehicle=hidden.pk)]).json()
    assert response["results"][0]["status"] == "error" and "vehicle" in response["results"][0]["errors"]
    advisor = world.principals["service_advisor"].user
    response = bulk(api, "oem_admin", "service-visits", [visit(8, dealer=a2.pk, advisor=advisor.pk),
                                                         visit(9, dealer=a1.pk, advisor=advisor.pk)]).json()
    assert [r["status"] for r in response["results"]] == ["error", "created"]
    assert not ServiceVisit.objects.filter(dealer=b1).exists()


def test_repeated_external_id_in_one_batch_keeps_the_last(api):
    response = bulk(api, "service_advisor", "service-visits", [visit(1, amount="1.00"), visit(1, amount="2.00")])
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["error", "created"]
    assert str(ServiceVisit.objects.get().amount) == "2.00"


def test_visit_items_with_customer_data_take_the_service_path(api, a1):
    items = [visit(1, customer_data={"name": "走入客户", "mobile": "13500000001"}), visit(2)]
    results = bulk(api, "service_advisor", "service-visits", items).json()["results"]
    assert [r["status"] for r in results] == ["created", "created"]
    customer = Customer.objects.get(mobile="+8613500000001")
    assert ServiceVisit.objects.get(pk=results[0]["id"]).customer == customer
    again = bulk(api, "service_advisor", "service-visits", items).json()["results"]
    assert [r["status"] for r in again] == ["updated", "updated"]
    assert ServiceVisit.objects.count() == 2 and Customer.objects.count() == 1


def test_customer_batch_partial_failure_and_idempotency(api, world, a1):
    items = [
        {"name": "王一", "mobile": "13800000001", "external_id": "C-1"},
        {"name": "王二", "mobile": "12345"},
        {"name": "王三", "mobile": "13800000003", "dealer": world.dealers["A2"].pk},
        {"mobile": "13800000004"},
        {"name": "王五", "id_number": "11010519491231002X", "external_id": "C-5"},
    ]
    first = bulk(api, "client_dealer_write", "customers", items).json()
    assert [r["status"] for r in first["results"]] == ["created", "error", "error", "error", "created"]
    assert "mobile" in first["results"][1]["errors"] and "dealer" in first["results"][2]["errors"]
    assert "name" in first["results"][3]["errors"]
    second = bulk(api, "client_dealer_write", "customers", items).json()
    assert [r["status"] for r in second["results"]] == ["updated", "error", "error", "error", "updated"]
    assert Customer.objects.count() == 2
    assert set(CustomerDealer.objects.values_list("external_id", flat=True)) == {"C-1", "C-5"}


def test_vehicle_batch_upserts_by_vin(api, a1):
    items = [{"vin": make_vin(1), "plate": "京A11111", "external_id": "V-1"}, {"vin": "bad"},
             {"vin": make_vin(2), "owner": CustomerFactory(dealer=a1).pk}]
    first = bulk(api, "dealer_manager", "vehicles", items).json()
    assert [r["status"] for r in first["results"]] == ["created", "error", "created"]
    second = bulk(api, "dealer_manager", "vehicles", items).json()
    assert [r["status"] for r in second["results"]] == ["updated", "error", "updated"]
    assert Vehicle.objects.count() == 2


def test_sale_batch_is_idempotent_by_external_id(api, world, a1):
    consultant = world.principals["sales_consultant"].user
    items = [
        {"external_id": f"S-{n}", "customer_data": {"name": f"客户{n}", "mobile": f"1380000000{n}"},
         "vehicle_data": {"vin": make_vin(n)}, "delivered_on": "2025-03-01", "consultant": consultant.pk}
        for n in range(3)
    ] + [{"external_id": "S-X", "customer_data": {"name": "x"}, "vehicle_data": {"vin": make_vin(9)},
          "delivered_on": "2025-03-01", "consultant": world.principals["service_advisor"].user.pk}]
    first = bulk(api, "client_dealer_write", "sales", items).json()
    assert [r["status"] for r in first["results"]] == ["created"] * 3 + ["error"]
    assert "consultant" in first["results"][3]["errors"]
    second = bulk(api, "client_dealer_write", "sales", items).json()
    assert [r["status"] for r in second["results"]] == ["updated"] * 3 + ["error"]
    assert (Sale.objects.count(), Customer.objects.count(), Vehicle.objects.count()) == (3, 3, 3)


@pytest.mark.parametrize("field", ["dealer", "vin", "plate", "vehicle", "advisor", "kind", "opened_at", "closed_at",
                                   "mileage_km", "amount", "external_id", "vehicle_data"])
def test_odd_values_in_a_visit_batch_are_item_errors_never_crashes(api, field):
    odd = [None, True, [], {}, "", "-1", -1, 0, "0", 10**30, "²", "NaN", "Infinity", "1e400", "x" * 100, 1.5]
    items = [visit(n, **{field: value}) for n, value in enumerate(odd)]
    response = bulk(api, "client_dealer_write", "service-visits", items)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(len(odd)))
    assert all(r["status"] in {"created", "error"} for r in results)
    assert ServiceVisit.objects.count() == sum(r["status"] == "created" for r in results)


@pytest.fixture
def staff(world, a1):
    from dealers.choices import Role
    from dealers.models import User

    tenant = world.tenants["A"]
    return {
        "advisor": User.objects.create_user("adv1", tenant=tenant, dealer=a1, role=Role.SERVICE_ADVISOR,
                                            full_name="李师傅", staff_code="S001"),
        "twin": User.objects.create_user("adv2", tenant=tenant, dealer=a1, role=Role.SERVICE_ADVISOR,
                                         full_name="王工", staff_code="S002"),
        "twin2": User.objects.create_user("adv3", tenant=tenant, dealer=a1, role=Role.SERVICE_ADVISOR,
                                          full_name="王工", staff_code="S003"),
        "consultant": User.objects.create_user("sc1", tenant=tenant, dealer=a1, role=Role.SALES_CONSULTANT,
                                               full_name="张顾问", staff_code="C007"),
    }


def test_visit_batch_names_the_advisor_by_staff_code_or_name(api, staff):
    items = [visit(501, advisor_code="S001"), visit(502, advisor_code="李师傅"), visit(503, advisor_code="无此人"),
             visit(504, advisor_code="王工"), visit(505, advisor_code="S001", advisor=staff["twin"].pk),
             visit(506, advisor_code="C007")]
    results = bulk(api, "client_dealer_write", "service-visits", items).json()["results"]
    assert [r["status"] for r in results] == ["created", "created", "error", "error", "error", "error"]
    assert all("advisor_code" in r["errors"] for r in results[2:])
    advisors = set(ServiceVisit.objects.filter(external_id__in=["RO-501", "RO-502"]).values_list("advisor", flat=True))
    assert advisors == {staff["advisor"].pk}


def test_one_visit_and_one_sale_name_their_staff_by_code(api, staff):
    response = api("client_dealer_write").post("/api/v1/service-visits/", visit(601, advisor_code="S002"),
                                               format="json")
    assert response.status_code == 201 and response.json()["advisor"] == staff["twin"].pk
    response = api("client_dealer_write").post("/api/v1/service-visits/", visit(602, advisor_code="nobody"),
                                               format="json")
    assert response.status_code == 400 and "advisor_code" in response.json()
    sale = {"external_id": "SO-1", "delivered_on": "2025-05-01", "consultant_code": "C007",
            "vehicle_data": {"vin": make_vin(603)}, "customer_data": {"name": "赵敏", "mobile": "13512345678"}}
    response = api("client_dealer_write").post("/api/v1/sales/", sale, format="json")
    assert response.status_code == 201 and response.json()["consultant"] == staff["consultant"].pk
