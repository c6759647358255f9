"""Vehicle pages: record a sale, record a service visit (walk-ins too), the vehicle page, transfer."""

from __future__ import annotations

import re

import pytest

from customers.models import Customer, CustomerDealer
from dealers.choices import Role
from dealers.models import User
from tests.customers.factories import CustomerFactory, LeadFactory
from tests.helpers import EVERY_ROLE, HQ, browser, htmx
from tests.vehicles.factories import VehicleFactory, make_vin
from vehicles.models import Ownership, Sale, ServiceVisit, Vehicle, VehicleDealer

SALE_OPENS = {"sales_consultant", "dealer_manager", "oem_admin"}
VISIT_OPENS = {"service_advisor", "dealer_manager", "oem_admin"}


def sale_data(car_model, **extra) -> dict:
    return {
        "customer": "", "name": "赵敏", "mobile": "13512345678", "id_number": "", "vin": make_vin(9001),
        "plate": "京N8A888", "model": car_model.pk, "colour": "珍珠白", "delivered_on": "2026-11-20",
        "price": "189800", "kind": "new", "consultant": "", "lead": "", **extra,
    }


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_counter_forms_open_by_role(world, name):
    client = browser(world, name)
    assert client.get("/vehicles/sales/new/").status_code == (200 if name in SALE_OPENS else 403)
    assert client.get("/vehicles/visits/new/").status_code == (200 if name in VISIT_OPENS else 403)


def test_sale_creates_customer_vehicle_and_sale_linked_to_the_dealer(world, car_model):
    consultant = world.principals["sales_consultant"].user
    client = browser(world, "sales_consultant")
    form = client.get("/vehicles/sales/new/").content.decode()
    assert f'<option value="{consultant.pk}" selected>' in form, "the consultant defaults to oneself"
    response = client.post("/vehicles/sales/new/", sale_data(car_model, consultant=consultant.pk))
    assert response.status_code == 302, response.content.decode()
    sale = Sale.objects.get()
    a1 = world.dealers["A1"]
    assert response["Location"] == f"/customers/{sale.customer_id}/"
    assert (sale.dealer, sale.consultant, sale.price, sale.vehicle.model) == (a1, consultant, 189800, car_model)
    assert sale.customer.mobile == "+8613512345678" and sale.vehicle.plate == "京N8A888"
    assert sale.vehicle.owner == sale.customer and sale.vehicle.selling_dealer == a1
    assert CustomerDealer.objects.filter(customer=sale.customer, dealer=a1).exists()
    assert VehicleDealer.objects.filter(vehicle=sale.vehicle, dealer=a1).exists()
    page = client.get(response["Location"]).content.decode()
    assert "赵敏" in page and sale.vehicle.vin in page


def test_sale_form_errors_keep_everything_typed(world, car_model):
    client = browser(world, "dealer_manager")
    bad_vin = make_vin(9002)[:8] + "Q" + make_vin(9002)[9:]
    response = client.post("/vehicles/sales/new/", sale_data(car_model, vin=bad_vin, mobile="1351234"))
    content = response.content.decode()
    assert response.status_code == 200 and content.count('class="errors"') >= 2
    assert "赵敏" in content and "珍珠白" in content and "189800" in content and bad_vin in content
    assert not Sale.objects.exists() and not Customer.objects.filter(name="赵敏").exists()


def test_sale_of_a_known_mobile_reuses_the_customer_even_from_another_dealer(world, car_model):
    other = CustomerFactory(dealer=world.dealers["A2"], name="赵敏", mobile="+8613512345678")
    response = browser(world, "sales_consultant").post("/vehicles/sales/new/", sale_data(car_model))
    assert response.status_code == 302
    assert Sale.objects.get().customer == other and Customer.objects.filter(mobile="+8613512345678").count() == 1
    assert CustomerDealer.objects.filter(customer=other, dealer=world.dealers["A1"]).exists()


def test_a_vehicle_cannot_be_sold_new_twice(world, car_model):
    client = browser(world, "sales_consultant")
    assert client.post("/vehicles/sales/new/", sale_data(car_model)).status_code == 302
    response = client.post("/vehicles/sales/new/", sale_data(car_model, name="钱多多", mobile="13512340000"))
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert client.post("/vehicles/sales/new/", sale_data(car_model, name="钱多多", mobile="13512340000",
                                                          kind="used")).status_code == 302
    assert Sale.objects.count() == 2


def test_sale_from_a_lead_wins_it_and_uses_its_customer(world, car_model):
    lead = LeadFactory(dealer=world.dealers["A1"], stage="negotiation")
    client = browser(world, "sales_consultant")
    assert 'selected' in client.get(f"/vehicles/sales/new/?lead={lead.pk}").content.decode()
    response = client.post("/vehicles/sales/new/", sale_data(car_model, name="", mobile="", lead=lead.pk))
    assert response.status_code == 302, response.content.decode()
    lead.refresh_from_db()
    assert lead.stage == "won" and Sale.objects.get().customer == lead.customer


def test_oem_admin_chooses_the_dealer_and_its_consultant(world, car_model):
    admin = browser(world, "oem_admin")
    form = admin.get("/vehicles/sales/new/").content.decode()
    assert world.dealers["A2"].name in form and world.dealers["B1"].name not in form
    response = admin.post("/vehicles/sales/new/", sale_data(car_model))
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    consultant = world.principals["sales_consultant"].user
    response = admin.post("/vehicles/sales/new/", sale_data(car_model, dealer=world.dealers["A2"].pk,
                                                            consultant=consultant.pk))
    assert response.status_code == 200, "an A1 consultant cannot sell for A2"
    response = admin.post("/vehicles/sales/new/", sale_data(car_model, dealer=world.dealers["A2"].pk))
    assert response.status_code == 302 and Sale.objects.get().dealer == world.dealers["A2"]


def test_sale_cannot_name_another_dealers_customer_or_lead(world, car_model):
    stranger = CustomerFactory(dealer=world.dealers["A2"])
    lead = LeadFactory(dealer=world.dealers["A2"])
    client = browser(world, "sales_consultant")
    for extra in ({"customer": stranger.pk}, {"lead": lead.pk}):
        response = client.post("/vehicles/sales/new/", sale_data(car_model, **extra))
        assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Sale.objects.exists()


@pytest.fixture
def walk_in(world):
    """A car sold by dealer A2 to a customer A1 never served."""
    owner = CustomerFactory(dealer=world.dealers["A2"], name="孙悟空", mobile="+8613312345678")
    return VehicleFactory(dealer=world.dealers["A2"], owner=owner, plate="沪A77777")


def visit_data(**extra) -> dict:
    return {"q": "", "kind": "maintenance", "opened_at": "2026-11-24T09:30", "closed_at": "", "mileage_km": "15200",
            "amount": "680", "advisor": "", "new_vin": "", "new_plate": "", "model": "", "colour": "",
            "owner_name": "", "owner_mobile": "", **extra}


def test_lookup_shows_a_walk_in_vehicle_with_its_owner_masked(world, walk_in):
    content = htmx(browser(world, "service_advisor"), "get", "/vehicles/lookup/", {"q": walk_in.vin}).content.decode()
    assert walk_in.vin in content and "孙*" in content and "133****5678" in content
    assert "孙悟空" not in content and "13312345678" not in content
    assert "data-unknown" not in content
    assert "data-unknown" in htmx(browser(world, "service_advisor"), "get", "/vehicles/lookup/",
                                  {"q": make_vin(7777)}).content.decode()


def test_visit_for_a_walk_in_links_vehicle_and_owner_to_the_servicing_dealer(world, walk_in):
    advisor = world.principals["service_advisor"].user
    client = browser(world, "service_advisor")
    response = client.post("/vehicles/visits/new/", visit_data(q=walk_in.vin.lower(), advisor=advisor.pk))
    assert response.status_code == 302, response.content.decode()
    owner = walk_in.owner
    assert response["Location"] == f"/customers/{owner.pk}/#timeline"
    a1 = world.dealers["A1"]
    visit = ServiceVisit.objects.get()
    assert (visit.dealer, visit.vehicle, visit.customer, visit.advisor) == (a1, walk_in, owner, advisor)
    assert VehicleDealer.objects.filter(vehicle=walk_in, dealer=a1).exists()
    assert CustomerDealer.objects.filter(customer=owner, dealer=a1).exists()
    page = client.get(f"/customers/{owner.pk}/").content.decode()
    assert "孙悟空" in page and 'class="tl-item tl-service_visit"' in page and "15,200 km" in page
    walk_in.refresh_from_db()
    assert walk_in.mileage_km == 15200


def test_visit_by_plate_finds_the_walk_in_too(world, walk_in):
    response = browser(world, "dealer_manager").post("/vehicles/visits/new/", visit_data(q="沪A·77777"))
    assert response.status_code == 302 and ServiceVisit.objects.get().vehicle == walk_in


def test_unknown_plate_needs_a_vin_and_keeps_the_input(world):
    client = browser(world, "service_advisor")
    response = client.post("/vehicles/visits/new/", visit_data(q="京B12345", owner_name="猪八戒", colour="黑色"))
    content = response.content.decode()
    assert response.status_code == 200 and "errorlist" in content
    assert 'value="京B12345"' in content and 'value="猪八戒"' in content and 'value="黑色"' in content
    assert "<details id=\"register\" open>" in content
    assert not ServiceVisit.objects.exists()


def test_unknown_vehicle_is_registered_with_its_owner(world, car_model):
    client = browser(world, "service_advisor")
    vin = make_vin(8123)
    response = client.post("/vehicles/visits/new/", visit_data(
        q="京B12345", new_vin=vin, model=car_model.pk, owner_name="猪八戒", owner_mobile="13687654321"))
    assert response.status_code == 302, response.content.decode()
    vehicle = Vehicle.objects.get(vin=vin)
    assert vehicle.plate == "京B12345" and vehicle.model == car_model and vehicle.owner.name == "猪八戒"
    assert CustomerDealer.objects.filter(customer=vehicle.owner, dealer=world.dealers["A1"]).exists()
    assert Ownership.objects.filter(vehicle=vehicle, customer=vehicle.owner).exists()


def test_visit_that_closes_before_it_opens_is_a_field_error(world, walk_in):
    response = browser(world, "service_advisor").post("/vehicles/visits/new/", visit_data(
        q=walk_in.vin, closed_at="2026-11-23T09:30"))
    assert response.status_code == 200 and "errorlist" in response.content.decode()


def test_visit_form_offers_only_advisors_of_the_own_dealer(world):
    other = User.objects.create_user("a2advisor", tenant=world.tenants["A"], role=Role.SERVICE_ADVISOR,
                                     dealer=world.dealers["A2"], full_name="外店顾问")
    content = browser(world, "dealer_manager").get("/vehicles/visits/new/").content.decode()
    assert "外店顾问" not in content
    response = browser(world, "dealer_manager").post("/vehicles/visits/new/", visit_data(q=make_vin(1), advisor=other.pk))
    assert response.status_code == 200 and "errorlist" in response.content.decode()


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_vehicle_page_answers_by_scope(world, walk_in, name):
    own = VehicleFactory(dealer=world.dealers["A1"])
    client = browser(world, name)
    assert client.get(f"/vehicles/{own.pk}/").status_code == 200
    assert client.get(f"/vehicles/{walk_in.pk}/").status_code == (200 if name in HQ else 404)
    other_tenant = VehicleFactory(dealer=world.dealers["B1"])
    assert client.get(f"/vehicles/{other_tenant.pk}/").status_code == 404


def test_vehicle_page_shows_owner_masked_for_hq(world):
    car = VehicleFactory(dealer=world.dealers["A1"])
    content = browser(world, "oem_analyst").get(f"/vehicles/{car.pk}/").content.decode()
    assert car.owner.mobile_masked in content and car.owner.mobile.removeprefix("+86") not in content
    assert 'id="transfer"' not in content


def test_transfer_to_a_new_owner(world):
    car = VehicleFactory(dealer=world.dealers["A1"])
    client = browser(world, "sales_consultant")
    response = client.post(f"/vehicles/{car.pk}/", {"new_owner": "", "name": "沙悟净", "mobile": "13711112222",
                                                    "on": "2026-11-01"})
    assert response.status_code == 302, response.content.decode()
    car.refresh_from_db()
    assert car.owner.name == "沙悟净"
    history = list(Ownership.objects.filter(vehicle=car).order_by("id").values_list("customer_id", "ended_on"))
    assert history[-1] == (car.owner_id, None)
    page = client.get(f"/vehicles/{car.pk}/").content.decode()
    assert "沙悟净" in page


def test_transfer_errors_are_shown_in_place(world):
    car = VehicleFactory(dealer=world.dealers["A1"])
    response = browser(world, "sales_consultant").post(f"/vehicles/{car.pk}/", {"new_owner": car.owner_id, "on": ""})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = browser(world, "oem_analyst").post(f"/vehicles/{car.pk}/", {"name": "x", "on": "2026-11-01"})
    assert response.status_code == 403


def test_recording_the_sale_from_a_lead_preselects_its_customer_model_and_consultant(world, car_model):
    a1 = world.dealers["A1"]
    consultant = world.principals["sales_consultant"].user
    lead = LeadFactory(dealer=a1, stage="negotiation", interested_model=car_model, assigned_to=consultant)
    content = browser(world, "dealer_manager").get(f"/vehicles/sales/new/?lead={lead.pk}").content.decode()
    assert re.search(rf'<option value="{lead.pk}" selected>', content)
    assert re.search(rf'<option value="{car_model.pk}" selected>', content)
    assert re.search(rf'<option value="{consultant.pk}" selected>', content)
    assert f'value="{lead.customer_id}"' in content and lead.customer.name in content


def test_the_sale_forms_consultants_follow_the_chosen_dealer(world):
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    a2_consultant = User.objects.create(username="a2sc", tenant=a1.tenant, dealer=a2, role=Role.SALES_CONSULTANT,
                                        full_name="钱二")
    client = browser(world, "oem_admin")
    form = client.get("/vehicles/sales/new/").content.decode()
    assert 'hx-get="/vehicles/sales/new/"' in form and 'hx-target="#id_consultant"' in form
    fragment = htmx(client, "get", "/vehicles/sales/new/", {"dealer": a1.pk}).content.decode()
    assert fragment.startswith("<select") and 'id="id_consultant"' in fragment
    assert str(world.principals["sales_consultant"].user) in fragment and "钱二" not in fragment
    fragment = htmx(client, "get", "/vehicles/sales/new/", {"dealer": a2.pk}).content.decode()
    assert "钱二" in fragment and str(world.principals["sales_consultant"].user) not in fragment
    assert a2_consultant.pk
