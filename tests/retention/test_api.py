"""GET /api/v1/retention/metrics/ and /retention/defection/: figures per group, the scope, 400/403/404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.conftest import PRINCIPALS
from tests.dealers.factories import DealerFactory

from .helpers import T, build, sold, visit

pytestmark = pytest.mark.django_db

AS_OF = T.isoformat()
METRICS, DEFECTION = "/api/v1/retention/metrics/", "/api/v1/retention/defection/"
READERS = {"oem_admin", "oem_analyst", "region_manager", "dealer_manager", "client_dealer_write",
           "client_dealer_read", "client_tenant_write"}


@pytest.fixture
def fleet(world):
    a1, a2, b1 = world.dealers["A1"], world.dealers["A2"], world.dealers["B1"]
    lapsed = sold(a1, dt.date(2022, 1, 10))
    visit(lapsed, a1, dt.date(2025, 3, 1))
    active = sold(a1, dt.date(2025, 9, 1))
    visit(active, a1, dt.date(2026, 5, 1))
    defected = sold(a1, dt.date(2021, 5, 1))
    visit(defected, a2, dt.date(2026, 4, 1))
    sold(a2, dt.date(2024, 12, 1))
    sold(b1, dt.date(2024, 12, 1))
    build(a1)
    build(b1)


def test_metrics_by_dealer_follow_the_definitions(world, fleet, api):
    body = api("oem_analyst").get(METRICS, {"as_of": AS_OF, "group_by": "dealer"}).json()
    rows = {row["dealer"]: row for row in body["results"]}
    assert set(rows) == {world.dealers["A1"].pk, world.dealers["A2"].pk}
    a1 = rows[world.dealers["A1"].pk]
    assert (a1["owned_base"], a1["retained"], a1["active"], a1["lapsed"], a1["lost"], a1["defected_in_network"]) == \
        (3, 1, 1, 1, 1, 1)
    assert a1["grasp_rate"] == pytest.approx(1 / 3)
    assert a1["by_age_band"]["<1"]["active"] == 1
    assert a1["by_age_band"]["5"]["defected_in_network"] == 1
    assert set(a1["by_age_band"]) == {"<1", "1", "2", "3", "4", "5", "6-7", "8+"}
    assert body["windows"] == {"retained_months": 12, "active_months": 6, "lapsed_months": 12, "lost_months": 24}


def test_metrics_by_region_and_tenant_are_the_dealers_summed(world, fleet, api):
    client = api("oem_admin")
    tenant = client.get(METRICS, {"as_of": AS_OF, "group_by": "tenant"}).json()["results"]
    assert len(tenant) == 1 and tenant[0]["owned_base"] == 4 and tenant[0]["tenant"] == world.tenants["A"].pk
    regions = client.get(METRICS, {"as_of": AS_OF, "group_by": "region"}).json()["results"]
    assert sorted(r["owned_base"] for r in regions) == [1, 3]


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_every_principal_sees_only_its_scope(world, fleet, name):
    client = world.principals[name].api()
    response = client.get(METRICS, {"as_of": AS_OF})
    if name not in READERS:
        assert response.status_code == 403
        assert client.get(DEFECTION, {"as_of": AS_OF}).status_code == 403
        return
    assert response.status_code == 200
    seen = {row["dealer"] for row in response.json()["results"]}
    expected = {world.dealers[key].pk for key in world.principals[name].sees}
    assert seen == expected & {world.dealers["A1"].pk, world.dealers["A2"].pk}
    cells = client.get(DEFECTION, {"as_of": AS_OF}).json()["results"]
    for cell in cells:
        assert cell["dealer"] in expected or cell["serviced_by"] in expected
    for key in ("B1", "B2", *world.dealer_keys_outside(world.principals[name])):
        assert client.get(METRICS, {"as_of": AS_OF, "dealer": world.dealers[key].pk}).status_code == 404


def test_anonymous_is_401(world, fleet):
    assert APIClient().get(METRICS).status_code == 401
    assert APIClient().get(DEFECTION).status_code == 401


def test_no_snapshot_for_the_date_is_404_and_bad_input_400(world, fleet, api):
    client = api("oem_admin")
    assert client.get(METRICS, {"as_of": "2020-01-01"}).status_code == 404
    for bad in ({"as_of": "nonsense"}, {"group_by": "planet"}, {"dealer": "x"}, {"dealer": "9" * 30}):
        response = client.get(METRICS, bad)
        assert response.status_code == 400, bad
    assert client.get(DEFECTION, {"as_of": "2026-13-01"}).status_code == 400


def test_another_tenants_snapshot_is_not_found(world, fleet, api):
    build(world.dealers["B1"], dt.date(2026, 5, 31))
    assert api("oem_admin").get(METRICS, {"as_of": "2026-05-31"}).status_code == 404


def test_defection_matrix_says_who_services_whose_cars(world, fleet, api):
    cells = api("oem_admin").get(DEFECTION, {"as_of": AS_OF}).json()["results"]
    a1, a2 = world.dealers["A1"].pk, world.dealers["A2"].pk
    assert {"dealer": a1, "serviced_by": a2, "vehicles": 1, "defected": True} in cells
    assert {"dealer": a1, "serviced_by": a1, "vehicles": 1, "defected": False} in cells  # the lapsed car: none in 12 months


def test_metrics_run_a_constant_number_of_queries(world, fleet, api):
    client = api("oem_admin")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(METRICS, {"as_of": AS_OF, "group_by": "dealer"}).status_code == 200
        return len(ctx.captured_queries)

    queries()  # the first request of a token also records its use
    before = queries()
    for _n in range(5):
        sold(DealerFactory(tenant=world.tenants["A"], region=world.regions["A2"]), dt.date(2023, 1, 1))
    build(world.dealers["A1"])
    assert queries() == before


def test_metrics_are_in_the_schema(world, api):
    schema = api("oem_admin").get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/retention/metrics/" in text and "/api/v1/retention/defection/" in text
