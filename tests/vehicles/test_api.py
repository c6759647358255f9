"""Vehicles, sales, service visits and related purchases through the API."""

from __future__ import annotations

from crm_site.models import AuditEvent
from customers.models import CustomerDealer
from dealers.choices import Role
from tests.customers.factories import CustomerFactory, LeadFactory
from tests.dealers.factories import UserFactory
from tests.vehicles.factories import VehicleFactory, make_vin
from vehicles.models import Ownership, Sale, ServiceVisit, Vehicle, VehicleDealer

VIN = make_vin(42)


def test_posting_a_known_vin_updates_the_vehicle(api, a1):
    first = api("service_advisor").post("/api/v1/vehicles/", {"vin": VIN.lower(), "plate": "京A 12345",
                                                                "colour": "白"}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["vin"] == VIN and first.json()["plate"] == "京A12345"
    again = api("dealer_manager").post("/api/v1/vehicles/", {"vin": VIN, "mileage_km": 3000}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["colour"] == "白" and again.json()["mileage_km"] == 3000
    assert Vehicle.objects.count() == 1


def test_a_bad_vin_or_plate_is_a_field_error(api):
    response = api("service_advisor").post("/api/v1/vehicles/", {"vin": VIN[:8] + "0" + VIN[9:]}, format="json")
    assert response.status_code == 400 and "vin" in response.json()
    response = api("service_advisor").post("/api/v1/vehicles/", {"vin": VIN, "plate": "ABC"}, format="json")
    assert response.status_code == 400 and "plate" in response.json()


def test_a_vehicle_keeps_its_vin(api, a1):
    vehicle = VehicleFactory(dealer=a1)
    response = api("dealer_manager").patch(f"/api/v1/vehicles/{vehicle.pk}/", {"vin": VIN}, format="json")
    assert response.status_code == 400 and "vin" in response.json()


def test_owner_given_with_a_vehicle_starts_an_ownership(api, a1):
    owner = CustomerFactory(dealer=a1)
    response = api("sales_consultant").post("/api/v1/vehicles/", {"vin": VIN, "owner": owner.pk}, format="json")
    assert response.status_code == 201 and response.json()["owner"] == owner.pk
    assert Ownership.objects.get(vehicle_id=response.json()["id"]).customer == owner


def test_vehicle_lookup_is_tenant_wide_and_masked(api, world):
    vehicle = VehicleFactory(dealer=world.dealers["A2"], vin=VIN, plate="粤B12345", owner__name="欧阳娜娜",
                             owner__mobile="+8613600001111")
    for params in ({"vin": VIN.lower()}, {"plate": "粤b 12345"}):
        response = api("service_advisor").get("/api/v1/vehicles/lookup/", params)
        assert response.status_code == 200, params
        body = response.json()
        assert body["id"] == vehicle.pk and body["owner_name"] == "欧***" and body["owner_mobile"] == "136****1111"
        assert body["linked"] is False
    assert not VehicleDealer.objects.filter(vehicle=vehicle, dealer=world.dealers["A1"]).exists()
    assert api("service_advisor").get("/api/v1/vehicles/lookup/", {"vin": make_vin(43)}).status_code == 404
    assert api("service_advisor").get("/api/v1/vehicles/lookup/", {"vin": "nonsense"}).status_code == 400
    assert api("service_advisor").get("/api/v1/vehicles/lookup/").status_code == 400
    assert api("oem_admin").get("/api/v1/vehicles/lookup/", {"vin": VIN}).json()["linked"] is True
    assert AuditEvent.objects.filter(action="vehicle.lookup").count() == 3


def test_vehicle_filters_normalise_vin_and_plate(api, a1):
    vehicle = VehicleFactory(dealer=a1, vin=VIN, plate="京A12345")
    VehicleFactory(dealer=a1)
    for params in ({"vin": VIN.lower()}, {"plate": "京a·12345"}, {"q": "12345"}, {"owner": vehicle.owner_id}):
        rows = api("service_advisor").get("/api/v1/vehicles/", params).json()["results"]
        assert [row["id"] for row in rows] == [vehicle.pk], params
    assert api("service_advisor").get("/api/v1/vehicles/", {"vin": "bad"}).json()["results"] == []


def test_transfer_hands_the_vehicle_to_a_new_owner(api, a1):
    vehicle = VehicleFactory(dealer=a1)
    old_owner = vehicle.owner
    url = f"/api/v1/vehicles/{vehicle.pk}/transfer/"
    response = api("sales_consultant").post(url, {"customer_data": {"name": "新车主", "mobile": "13600000001"},
                                                  "on": "2025-07-01"}, format="json")
    assert response.status_code == 200, response.content
    vehicle.refresh_from_db()
    assert vehicle.owner != old_owner and vehicle.owner.name == "新车主"
    assert CustomerDealer.objects.filter(customer=vehicle.owner, dealer=a1).exists()
    response = api("sales_consultant").post(url, {"new_owner": vehicle.owner_id}, format="json")
    assert response.status_code == 400 and "new_owner" in response.json()
    assert api("oem_analyst").post(url, {"new_owner": old_owner.pk}, format="json").status_code == 403


def test_one_step_delivery_creates_customer_vehicle_and_sale(api, world, a1):
    consultant = world.principals["sales_consultant"].user
    body = {"customer_data": {"name": "王小明", "mobile": "13812345678"},
            "vehicle_data": {"vin": VIN, "plate": "京A12345"}, "delivered_on": "2025-03-01", "price": "150000.00",
            "consultant": consultant.pk, "external_id": "S-1"}
    response = api("client_dealer_write").post("/api/v1/sales/", body, format="json")
    assert response.status_code == 201, response.content
    again = api("client_dealer_write").post("/api/v1/sales/", body | {"price": "149000.00"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    assert again.json()["price"] == "149000.00"
    vehicle = Vehicle.objects.get(vin=VIN)
    assert vehicle.selling_dealer_id == a1.pk and vehicle.owner_id == response.json()["customer"]
    assert Sale.objects.count() == 1


def test_a_sale_names_a_sales_consultant_of_its_own_dealer(api, world, a1):
    body = {"customer": CustomerFactory(dealer=a1).pk, "vehicle_data": {"vin": VIN}, "delivered_on": "2025-03-01"}
    elsewhere = UserFactory(dealer=world.dealers["A2"], tenant=a1.tenant, role=Role.SALES_CONSULTANT)
    response = api("oem_admin").post("/api/v1/sales/", body | {"dealer": a1.pk, "consultant": elsewhere.pk},
                                     format="json")
    assert response.status_code == 400 and "consultant" in response.json()
    advisor = world.principals["service_advisor"].user
    response = api("sales_consultant").post("/api/v1/sales/", body | {"consultant": advisor.pk}, format="json")
    assert response.status_code == 400 and "consultant" in response.json()
    other_lead = LeadFactory(dealer=world.dealers["A2"])
    response = api("oem_admin").post("/api/v1/sales/", body | {"dealer": a1.pk, "lead": other_lead.pk},
                                     format="json")
    assert response.status_code == 400 and "lead" in response.json()
    assert not Sale.objects.exists()


def test_a_sale_for_a_lead_wins_it(api, a1):
    lead = LeadFactory(dealer=a1)
    response = api("sales_consultant").post("/api/v1/sales/", {
        "customer": lead.customer_id, "vehicle_data": {"vin": VIN}, "delivered_on": "2025-03-01", "lead": lead.pk,
    }, format="json")
    assert response.status_code == 201, response.content
    lead.refresh_from_db()
    assert lead.stage == "won"


def test_walk_in_sold_elsewhere_is_linked_to_the_servicing_dealer_and_on_its_timeline(api, world, a1):
    seller = world.dealers["A2"]
    car = VehicleFactory(dealer=seller, vin=VIN, plate="京A54321")
    owner = car.owner
    assert api("service_advisor").get(f"/api/v1/customers/{owner.pk}/").status_code == 404
    advisor = world.principals["service_advisor"].user
    response = api("service_advisor").post("/api/v1/service-visits/", {
        "vin": VIN, "kind": "maintenance", "opened_at": "2025-06-01T09:30:00+08:00", "mileage_km": 12000,
        "amount": "580.00", "advisor": advisor.pk,
    }, format="json")
    assert response.status_code == 201, response.content
    visit = response.json()
    assert visit["vehicle"] == car.pk and visit["customer"] == owner.pk and visit["dealer"] == a1.pk
    assert VehicleDealer.objects.filter(vehicle=car, dealer=a1).exists()
    assert CustomerDealer.objects.filter(customer=owner, dealer=a1).exists()
    timeline = api("service_advisor").get(f"/api/v1/customers/{owner.pk}/timeline/").json()
    assert [(e["kind"], e["object_id"]) for e in timeline] == [("service_visit", visit["id"])]
    car.refresh_from_db()
    assert car.mileage_km == 12000 and car.selling_dealer_id == seller.pk


def test_a_visit_by_plate_and_its_advisor_checks(api, world, a1):
    car = VehicleFactory(dealer=a1, plate="京A54321")
    body = {"plate": "京A54321", "kind": "repair", "opened_at": "2025-06-01T09:30:00+08:00"}
    elsewhere = UserFactory(dealer=world.dealers["A2"], tenant=a1.tenant, role=Role.SERVICE_ADVISOR)
    response = api("oem_admin").post("/api/v1/service-visits/", body | {"dealer": a1.pk, "advisor": elsewhere.pk},
                                     format="json")
    assert response.status_code == 400 and "advisor" in response.json()
    response = api("service_advisor").post("/api/v1/service-visits/", body | {"plate": "京A99999"}, format="json")
    assert response.status_code == 400 and "plate" in response.json()
    response = api("service_advisor").post("/api/v1/service-visits/", body | {"closed_at": "2025-06-01T08:00:00+08:00"},
                                           format="json")
    assert response.status_code == 400 and "closed_at" in response.json()
    response = api("service_advisor").post("/api/v1/service-visits/", body, format="json")
    assert response.status_code == 201 and response.json()["vehicle"] == car.pk
    assert api("sales_consultant").post("/api/v1/service-visits/", body, format="json").status_code == 403


def test_service_visit_filters(api, a1):
    car = VehicleFactory(dealer=a1)
    api("service_advisor").post("/api/v1/service-visits/", {
        "vehicle": car.pk, "kind": "recall", "opened_at": "2025-06-01T09:30:00+08:00"}, format="json")
    api("service_advisor").post("/api/v1/service-visits/", {
        "vehicle": car.pk, "kind": "repair", "opened_at": "2024-06-01T09:30:00+08:00"}, format="json")
    def kinds(params):
        return [r["kind"] for r in api("dealer_manager").get("/api/v1/service-visits/", params).json()["results"]]
    assert kinds({"kind": "recall"}) == ["recall"]
    assert kinds({"opened_after": "2025-01-01T00:00:00+08:00"}) == ["recall"]
    assert kinds({"opened_before": "2025-01-01T00:00:00+08:00", "vehicle": car.pk}) == ["repair"]
    assert sorted(kinds({"customer": car.owner_id, "dealer": a1.pk})) == ["recall", "repair"]


def test_a_visit_stays_with_its_vehicle(api, a1):
    visit = api("service_advisor").post("/api/v1/service-visits/", {
        "vehicle": VehicleFactory(dealer=a1).pk, "kind": "repair", "opened_at": "2025-06-01T09:30:00+08:00"},
        format="json").json()
    url = f"/api/v1/service-visits/{visit['id']}/"
    response = api("service_advisor").patch(url, {"vehicle": VehicleFactory(dealer=a1).pk}, format="json")
    assert response.status_code == 400 and "vehicle" in response.json()
    response = api("service_advisor").patch(url, {"closed_at": "2025-06-01T17:00:00+08:00", "amount": "99.50"},
                                            format="json")
    assert response.status_code == 200 and response.json()["amount"] == "99.50"
    assert ServiceVisit.objects.get(pk=visit["id"]).closed_at is not None


def test_related_purchase_expiry_and_upsert(api, a1):
    customer = CustomerFactory(dealer=a1)
    body = {"customer": customer.pk, "kind": "insurance", "purchased_on": "2025-06-01", "expires_on": "2025-05-01"}
    response = api("sales_consultant").post("/api/v1/related-purchases/", body, format="json")
    assert response.status_code == 400 and "expires_on" in response.json()
    body |= {"expires_on": "2026-05-31", "external_id": "INS-1"}
    first = api("sales_consultant").post("/api/v1/related-purchases/", body, format="json")
    assert first.status_code == 201
    again = api("sales_consultant").post("/api/v1/related-purchases/", body | {"provider": "平安"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    rows = api("dealer_manager").get("/api/v1/related-purchases/", {"expires_before": "2026-06-30",
                                                                    "kind": "insurance"}).json()["results"]
    assert [r["id"] for r in rows] == [first.json()["id"]]


def test_vehicle_models_are_kept_by_oem_admins_and_seen_by_everyone(api):
    body = {"code": "CR-2026", "series": "卡罗拉", "name": "双擎", "year": 2026, "fuel_type": "hybrid",
            "price_band": "entry"}
    response = api("oem_admin").post("/api/v1/vehicle-models/", body, format="json")
    assert response.status_code == 201
    assert api("oem_admin").post("/api/v1/vehicle-models/", body, format="json").status_code == 400
    assert api("client_tenant_write").post("/api/v1/vehicle-models/", body, format="json").status_code == 403
    for name in ("sales_consultant", "region_manager", "client_dealer_read"):
        assert [r["code"] for r in api(name).get("/api/v1/vehicle-models/").json()["results"]] == ["CR-2026"]


def test_the_visit_list_renders_exactly_what_the_serializer_does(api, a1):
    from tests.vehicles.factories import ServiceVisitFactory
    from vehicles.models import ServiceVisit as Visit

    ServiceVisitFactory(dealer=a1, opened_at="2025-06-01T09:30:00.123456+08:00", closed_at=None, advisor=None,
                        amount="0")
    ServiceVisitFactory(dealer=a1, opened_at="2024-12-31T23:59:59Z", closed_at="2025-01-01T08:00:00+08:00",
                        amount="1234567.5", mileage_km=None)
    rows = api("service_advisor").get("/api/v1/service-visits/").json()["results"]
    assert len(rows) == Visit.objects.count() == 2
    for row in rows:
        assert row == api("service_advisor").get(f"/api/v1/service-visits/{row['id']}/").json()
    assert rows[0]["opened_at"] == "2025-06-01T09:30:00.123456+08:00" and rows[1]["amount"] == "1234567.50"


def test_only_hq_deletes_shared_vehicles_and_customers(api, a1):
    vehicle = VehicleFactory(dealer=a1, owner=None)
    customer = CustomerFactory(dealer=a1)
    for name in ("dealer_manager", "client_dealer_write", "client_tenant_write"):
        assert api(name).delete(f"/api/v1/vehicles/{vehicle.pk}/").status_code == 403
        assert api(name).delete(f"/api/v1/customers/{customer.pk}/").status_code == 403
    assert api("oem_admin").delete(f"/api/v1/vehicles/{vehicle.pk}/").status_code == 204
    assert api("oem_admin").delete(f"/api/v1/customers/{customer.pk}/").status_code == 204
    assert AuditEvent.objects.filter(action="customer.delete", object_id=str(customer.pk)).exists()
