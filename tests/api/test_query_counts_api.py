"""The new lists answer in a constant number of queries, and a visit batch in a constant number of statements."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..domain_factories import (
    LeadFactory,
    RelatedPurchaseFactory,
    SaleFactory,
    ServiceVisitFactory,
    VehicleFactory,
    VehicleModelFactory,
    make_vin,
)

# Queries per page for a dealer-bound API client (the DMS case):
#   1. the API client with its tenant (bearer token), entering the row-level-security role in the same statement
#   2. the page, with what the serializer shows joined or annotated in the same query
#   3. leaving the row-level-security role at the end of the request
# plus customers and leads: the audit row of the bulk read of personal data.
# A `dealer` filter is checked against a dealer-bound scope without a query (the benchmarked DMS call).
LISTS = {
    "customers": ({}, 4),
    "leads": ({}, 4),
    "vehicle-models": ({}, 3),
    "vehicles": ({}, 3),
    "sales": ({}, 3),
    "service-visits": ({}, 3),
    "related-purchases": ({}, 3),
    "service-visits?dealer": ({"dealer": "A1"}, 3),
}

MAKERS = {
    "leads": LeadFactory, "sales": SaleFactory, "service-visits": ServiceVisitFactory,
    "related-purchases": RelatedPurchaseFactory, "vehicles": VehicleFactory,
}


def queries(api, url, params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url, params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_pages_take_the_same_queries_at_any_size(world, name):
    a1 = world.dealers["A1"]
    resource = name.split("?")[0]
    for _ in range(6):
        if resource == "vehicle-models":
            VehicleModelFactory(tenant=a1.tenant)
        elif resource == "customers":
            SaleFactory(dealer=a1)
        else:
            MAKERS[resource](dealer=a1)
    params, expected = LISTS[name]
    params = {k: world.dealers[v].pk for k, v in params.items()}
    api = world.principals["client_dealer_write"].api()
    api.get("/api/v1/")
    small, small_rows = queries(api, f"/api/v1/{resource}/", params | {"page_size": 1})
    large, large_rows = queries(api, f"/api/v1/{resource}/", params | {"page_size": 500})
    assert small_rows == 1 and large_rows >= 6
    assert small == large == expected


def test_a_visit_batch_takes_the_same_statements_at_any_size(world):
    api = world.principals["client_dealer_write"].api()
    api.get("/api/v1/")

    def statements(first: int, count: int) -> int:
        items = [{"external_id": f"RO-{n}", "vin": make_vin(n), "kind": "repair",
                  "opened_at": "2025-06-01T09:30:00+08:00", "mileage_km": 100 + n} for n in range(first, first + count)]
        with CaptureQueriesContext(connection) as ctx:
            response = api.post("/api/v1/service-visits/bulk/", {"items": items}, format="json")
        assert response.status_code == 200 and response.json()["created"] == count
        return len(ctx.captured_queries)

    assert statements(0, 5) == statements(100, 500)
