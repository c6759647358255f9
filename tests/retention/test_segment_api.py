"""GET /api/v1/retention/segments/ and /retention/association-rules/: the newest run by default, filters, tenancy."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .segment_data import plant, two_groups
from .test_segment_pages import run_now

SEGMENTS = "/api/v1/retention/segments/"
RULES = "/api/v1/retention/association-rules/"


@pytest.fixture
def analysed(world):
    two_groups(world.dealers["A1"], size=20)
    two_groups(world.dealers["B1"], size=5)
    return {"old": run_now(world.tenants["A"], "segments", k=3),
            "segments": run_now(world.tenants["A"], "segments", k=2),
            "rules": run_now(world.tenants["A"], "rules", min_support=0.1, min_confidence=0.5),
            "b_segments": run_now(world.tenants["B"], "segments", k=2)}


def test_the_newest_runs_clusters_with_their_sentence(world, analysed, api):
    response = api("oem_analyst").get(SEGMENTS, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["size"] for r in results] == [20, 20]
    assert {r["run"] for r in results} == {analysed["segments"].pk}
    assert any(r["sentence"].startswith("Mostly men aged 30–39") for r in results)
    assert {"number", "share", "traits", "r", "f", "m", "tier_mix", "as_of"} <= set(results[0])


def test_another_run_by_its_id_and_another_tenants_run_answers_404(world, analysed, api):
    client = api("oem_admin")
    older = client.get(SEGMENTS, {"run": analysed["old"].pk}).json()["results"]
    assert {r["run"] for r in older} == {analysed["old"].pk}
    assert len(older) == analysed["old"].clusters.count()
    assert client.get(SEGMENTS, {"run": analysed["b_segments"].pk}).status_code == 404
    assert client.get(SEGMENTS, {"run": analysed["rules"].pk}).status_code == 404
    assert client.get(SEGMENTS, {"run": "nonsense"}).status_code == 400
    b_cluster = analysed["b_segments"].clusters.first()
    assert client.get(f"{SEGMENTS}{b_cluster.pk}/").status_code == 404


@pytest.mark.parametrize("name,sees", [("oem_admin", True), ("oem_analyst", True), ("region_manager", True),
                                       ("cc_agent", False), ("dealer_manager", False), ("service_advisor", False),
                                       ("client_dealer_read", False), ("client_tenant_write", True)])
def test_who_reads_the_segments(world, analysed, api, name, sees):
    for url in (SEGMENTS, RULES):
        response = api(name).get(url)
        assert response.status_code == 200
        assert bool(response.json()["results"]) == sees, (name, url)


def test_rules_filters(world, analysed, api):
    client = api("oem_analyst")
    every = client.get(RULES, {"page_size": 500}).json()["results"]
    assert every and [r["lift"] for r in every] == sorted((r["lift"] for r in every), reverse=True)
    strong = client.get(RULES, {"min_lift": 1.5}).json()["results"]
    assert strong and all(r["lift"] >= 1.5 for r in strong)
    sure = client.get(RULES, {"min_confidence": 0.99}).json()["results"]
    assert all(r["confidence"] >= 0.99 for r in sure)
    one = client.get(RULES, {"consequent": "凌风"}).json()["results"]
    assert one and {r["consequent"] for r in one} == {"凌风"}
    assert client.get(RULES, {"min_confidence": 5}).status_code == 400
    rule = every[0]
    assert {"attribute", "value", "text"} <= set(rule["antecedent"][0]) and "→" in rule["sentence"]


def test_list_queries_are_constant(world, api):
    a1 = world.dealers["A1"]
    two_groups(a1, size=10)
    run_now(world.tenants["A"], "segments", k=2)
    run_now(world.tenants["A"], "rules", min_support=0.1, min_confidence=0.5)
    client = api("oem_analyst")

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    queries(SEGMENTS)  # the first request of a token also stamps its last use
    few = (queries(SEGMENTS), queries(RULES))
    plant(a1, 10, series="远征", occupation="司机", income_band="middle", value={"visits": 12, "spend": 20000})
    run_now(world.tenants["A"], "segments", k=5)
    run_now(world.tenants["A"], "rules", min_support=0.05, min_confidence=0.3)
    # the token and scope, the page of rows (its run joined, the newest run a subquery), leaving RLS
    assert (queries(SEGMENTS), queries(RULES)) == few == (3, 3)
