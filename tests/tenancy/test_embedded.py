"""Tenancy of what pages and actions embed about other objects: the customer 360 and its timeline.

A list or detail answering 404 is not enough: the timeline of a customer two dealers share, the customer page and
every embedding action must say nothing about an object the viewer cannot open itself.
"""

from __future__ import annotations

import pytest
from django.test import Client

from customers.models import CustomerDealer
from tests.customers.factories import CustomerFactory, LeadFactory
from tests.vehicles.factories import SaleFactory, ServiceVisitFactory, VehicleFactory
from vehicles.services import vehicle_transfer

from ..conftest import PRINCIPALS

# timeline object type → the API resource that opens it
RESOURCE_OF = {"call": "calls", "follow_up": "follow-ups", "sale": "sales", "service_visit": "service-visits", "related_purchase": "related-purchases",
               "lead": "leads", "vehicle": "vehicles"}


@pytest.fixture
def shared(world):
    """A customer linked to A1 and A2 who took over a vehicle only A2 knows, bought at A2 and was serviced at A2."""
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    customer = CustomerFactory(dealer=a1, name="共享客户")
    CustomerDealer.objects.create(tenant=customer.tenant, customer=customer, dealer=a2, kind="serviced")
    only_a2 = VehicleFactory(dealer=a2, owner=None)
    vehicle_transfer(scope=world.principals["oem_admin"].scope, vehicle=only_a2, on=only_a2.created_at.date(),
                     new_owner=customer, dealer_id=a2.pk)
    sale = SaleFactory(dealer=a2, vehicle=VehicleFactory(dealer=a2, owner=customer), customer=customer)
    visit = ServiceVisitFactory(dealer=a2, vehicle=sale.vehicle, customer=customer)
    lead = LeadFactory(dealer=a2, customer=customer)
    own_lead = LeadFactory(dealer=a1, customer=customer)
    return {"customer": customer, "only_a2": only_a2, "sale": sale, "visit": visit, "lead": lead,
            "own_lead": own_lead}


def visible(principal, resource: str, pk: int) -> bool:
    response = principal.api().get(f"/api/v1/{resource}/{pk}/")
    assert response.status_code in (200, 404), response.content
    return response.status_code == 200


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_timeline_names_only_objects_the_viewer_may_open(world, shared, name):
    principal = world.principals[name]
    customer = shared["customer"]
    response = principal.api().get(f"/api/v1/customers/{customer.pk}/timeline/")
    assert response.status_code == 200, response.content
    events = response.json()
    assert events, "the customer is shared, so every principal of tenant A sees some of their history"
    for event in events:
        resource = RESOURCE_OF.get(event["object_type"])
        assert resource, f"map the object type {event['object_type']!r} to its API resource"
        assert visible(principal, resource, event["object_id"]), (name, event)
        if event["detail"].get("vehicle_id"):
            assert visible(principal, "vehicles", event["detail"]["vehicle_id"]), (name, event)
    sees_a2 = "A2" in principal.sees
    assert (shared["only_a2"].vin in response.content.decode()) == sees_a2, name


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_the_case_of_the_shared_customers_vehicle(world, shared, name):
    """The leak once seen: A1 answered 404 on the vehicle yet showed "接手车辆 <VIN>" on the timeline."""
    principal = world.principals[name]
    vehicle_seen = visible(principal, "vehicles", shared["only_a2"].pk)
    assert vehicle_seen == ("A2" in principal.sees)
    timeline = principal.api().get(f"/api/v1/customers/{shared['customer'].pk}/timeline/").json()
    took_over = [e for e in timeline if e["kind"] == "ownership"]
    assert bool(took_over) == vehicle_seen


@pytest.mark.parametrize("name", sorted(n for n, (role, _s, _b) in PRINCIPALS.items() if role != "api_client"))
def test_customer_page_shows_only_what_the_viewer_may_open(world, shared, name):
    principal = world.principals[name]
    client = Client()
    client.force_login(principal.user)
    content = client.get(f"/customers/{shared['customer'].pk}/").content.decode()
    sees_a2 = "A2" in principal.sees
    for key in ("only_a2",):
        assert (shared[key].vin in content) == sees_a2, (name, key)
    assert (f'/vehicles/{shared["only_a2"].pk}/' in content) == sees_a2
    assert (f'/vehicles/{shared["sale"].vehicle.pk}/' in content) == sees_a2
    assert (shared["sale"].vehicle.vin in content) == sees_a2
