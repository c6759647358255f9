"""The one query-count table: every list endpoint answers in a constant number of SQL queries, whatever the page
size, for each kind of principal; a filtered DMS list and a visit batch likewise."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.vehicles.factories import make_vin

from .resources import RESOURCES

# Queries per list page:
#   1. the bearer token with its user (or the API client with its tenant), entering the row-level-security role
#   2. the page of rows, with their related rows joined
#   3. leaving the row-level-security role at the end of the request
# Region managers add one: the dealers of their region, resolved into the scope.
# A principal whose scope excludes a resource entirely (an empty condition) skips query 2.
# A `dealer` filter is checked against a dealer-bound scope without a query (the benchmarked DMS call).
EXPECTED = {"oem_admin": 3, "region_manager": 4, "dealer_manager": 3, "client_tenant_write": 3,
            "client_dealer_write": 3}
# Resources that add a query to every non-empty page:
#   customers, leads: the audit row of a bulk read of personal data (names, mobiles; DESIGN §7)
#   complaints: the page's events (the timeline), one prefetch
EXTRA = {"customers": 1, "leads": 1, "complaints": 1}


def count_list_queries(api, resource: str, page_size: int, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(f"/api/v1/{resource}/", {"page_size": page_size, **(params or {})})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("principal_name", sorted(EXPECTED))
@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_list_query_count_is_constant(world, resource, principal_name):
    spec = RESOURCES[resource]
    for _ in range(3):
        for key in ("A1", "A2"):
            spec.make(world, key)
    api = world.principals[principal_name].api()
    principal = world.principals[principal_name]
    sees_rows = any(spec.visible(principal, k) for k in ("A1", "A2"))
    skipped = -1 if spec.empty_when_unseen else 0
    expected = EXPECTED[principal_name] + (EXTRA.get(resource, 0) if sees_rows else skipped)
    api.get("/api/v1/")  # warm-up: a token's first use in an hour also stamps last_used_at
    small = count_list_queries(api, resource, 1)
    large = count_list_queries(api, resource, 500)
    assert small == large == expected


def test_a_dealer_filtered_dms_list_takes_the_same_queries(world):
    spec = RESOURCES["service-visits"]
    for _ in range(3):
        spec.make(world, "A1")
    api = world.principals["client_dealer_write"].api()
    api.get("/api/v1/")
    params = {"dealer": world.dealers["A1"].pk}
    assert count_list_queries(api, "service-visits", 1, params) == count_list_queries(
        api, "service-visits", 500, params) == EXPECTED["client_dealer_write"]


def test_a_visit_batch_takes_the_same_statements_at_any_size(world):
    api = world.principals["client_dealer_write"].api()
    api.get("/api/v1/")

    def statements(first: int, count: int) -> int:
        items = [{"external_id": f"RO-{n}", "vin": make_vin(n), "kind": "repair",
                  "opened_at": "2025-06-01T09:30:00+08:00", "mileage_km": 100 + n, "owner_unknown": True}
                 for n in range(first, first + count)]
        with CaptureQueriesContext(connection) as ctx:
            response = api.post("/api/v1/service-visits/bulk/", {"items": items}, format="json")
        assert response.status_code == 200 and response.json()["created"] == count
        return len(ctx.captured_queries)

    assert statements(0, 5) == statements(100, 500)
