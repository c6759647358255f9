"""No input answers 500: odd values in any field of any new resource are a 400 (or accepted), never a crash."""

from __future__ import annotations

import itertools

import pytest

from tests.customers.factories import CustomerFactory, LeadFactory
from tests.vehicles.factories import VehicleFactory, make_vin

ODD = [None, True, [], {}, "", "-1", -1, 0, 10**30, "²", "NaN", "1e400", "x" * 300, 1.5, {"a": [1]}]
_n = itertools.count(1)


def bodies(world):
    """A valid create body per resource, for the dealer-bound write client."""
    a1 = world.dealers["A1"]
    customer = CustomerFactory(dealer=a1)
    return {
        "customers": {"name": "客户", "mobile": f"1350000{next(_n):04d}", "id_number": "11010519491231002X",
                      "birth_date": "1990-01-01", "fleet_size": 3, "key_account_owner": None, "do_not_call": False},
        "leads": {"source": "walk_in", "customer": customer.pk, "next_action_on": "2025-01-01",
                  "interested_model": None, "assigned_to": None, "external_id": "L"},
        "vehicles": {"vin": make_vin(5_000_000 + next(_n)), "plate": "沪A12345", "mileage_km": 10, "owner": customer.pk,
                     "delivered_on": "2025-01-01", "model": None},
        "sales": {"customer": customer.pk, "vehicle_data": {"vin": make_vin(5_100_000 + next(_n))},
                  "delivered_on": "2025-01-01", "price": "1.00", "kind": "new", "lead": None, "consultant": None},
        "service-visits": {"vehicle": VehicleFactory(dealer=a1).pk, "kind": "repair", "opened_at": "2025-01-01T08:00:00Z",
                           "amount": "1", "mileage_km": 1, "advisor": None},
        "related-purchases": {"customer": customer.pk, "kind": "insurance", "purchased_on": "2025-01-01",
                              "expires_on": None, "amount": "1", "vehicle": None},
    }


@pytest.mark.parametrize("resource", ["customers", "leads", "vehicles", "sales", "service-visits", "related-purchases"])
def test_odd_values_answer_400_not_500(world, resource):
    api = world.principals["client_dealer_write"].api()
    body = bodies(world)[resource]
    first = api.post(f"/api/v1/{resource}/", body, format="json")
    assert first.status_code == 201, first.content
    for field, value in itertools.product(list(body) + ["dealer", "external_id"], ODD):
        response = api.post(f"/api/v1/{resource}/", body | {field: value}, format="json")
        assert response.status_code in (200, 201, 400), (field, value, response.status_code, response.content[:300])
        response.json()
    lead = LeadFactory(dealer=world.dealers["A1"])
    for value in ODD:
        for body in ({"stage": value}, {"stage": "lost", "lost_reason": value}, {"stage": "contacted", "note": value}):
            assert api.post(f"/api/v1/leads/{lead.pk}/move/", body, format="json").status_code in (200, 400)


@pytest.mark.parametrize("resource", ["customers", "vehicles", "sales"])
def test_odd_items_in_a_batch_are_item_errors(world, resource):
    api = world.principals["client_dealer_write"].api()
    body = bodies(world)[resource]
    items = [body | {field: value} for field, value in itertools.product(list(body), ODD[:8])]
    response = api.post(f"/api/v1/{resource}/bulk/", {"items": items}, format="json")
    assert response.status_code == 200, response.content[:500]
    assert len(response.json()["results"]) == len(items)


@pytest.mark.parametrize("url", ["/api/v1/customers/lookup/", "/api/v1/vehicles/lookup/", "/api/v1/leads/",
                                 "/api/v1/service-visits/", "/api/v1/customers/", "/api/v1/vehicles/", "/api/v1/sales/",
                                 "/api/v1/related-purchases/"])
def test_odd_query_parameters_answer_400_or_200(world, url):
    api = world.principals["oem_admin"].api()
    names = ["mobile", "vin", "plate", "dealer", "owner", "customer", "vehicle", "stage", "mine", "overdue", "q",
             "opened_after", "delivered_before", "expires_after", "updated_after", "assigned_to", "kind"]
    for name, value in itertools.product(names, ["", "abc", "-1", "0", "99999999999999999999999", "²", "\x00"]):
        response = api.get(url, {name: value})
        assert response.status_code in (200, 400, 404), (name, value, response.status_code)


@pytest.mark.parametrize("url, body", [
    ("/api/v1/api-clients/", {"name": "DMS", "access": "write", "scopes": ["write"]}),
    ("/api/v1/customers/", {"name": "新客户", "mobile": "13800001111", "moblie": "13800001111"}),
    ("/api/v1/follow-ups/claim-next/", {"queue": "ssi", "priority": 1}),
])
def test_an_unknown_field_in_a_write_answers_400_naming_it(world, api, url, body):
    """An integrator who misspells a field must not believe it was applied (issue 14)."""
    name = "oem_admin" if "api-clients" in url or "customers" in url else "cc_agent"
    response = api(name).post(url, body | ({"dealer": world.dealers["A1"].pk} if "customers" in url else {}),
                              format="json")
    assert response.status_code == 400, response.content
    unknown = set(body) - {"name", "access", "mobile", "queue"}
    assert unknown <= set(response.json()), response.json()
