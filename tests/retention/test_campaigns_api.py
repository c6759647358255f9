"""`/api/v1/retention/campaigns/`: create, list, retrieve with results, launch once; scoped, unknown fields refused."""

from __future__ import annotations

import pytest

from callcenter.models import FollowUpTask
from retention.campaigns.models import Campaign
from tests.tenancy.test_list_query_counts import count_list_queries

from .campaign_helpers import build, lapsed_car, make_campaign

pytestmark = pytest.mark.django_db

URL = "/api/v1/retention/campaigns/"


@pytest.fixture
def lapsed(world):
    a1 = world.dealers["A1"]
    cars = [lapsed_car(a1) for _n in range(10)]
    build(a1)
    return cars


def body(world, **extra) -> dict:
    return {"name": "API 召回", "dealer": world.dealers["A1"].pk, "states": ["lapsed"], "script": "您好",
            "worked_by": "call_center", "control_share": 20} | extra


def test_an_analyst_creates_and_launches_a_campaign_once(world, lapsed, api):
    client = api("oem_analyst")
    created = client.post(URL, body(world), format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["states"] == ["lapsed"] and data["launched_at"] is None and data["results"] is None
    launched = client.post(f"{URL}{data['id']}/launch/", format="json")
    assert launched.status_code == 200 and launched.json()["already"] is False
    assert launched.json()["launch_result"]["called"] == 8 and launched.json()["launch_result"]["control"] == 2
    again = client.post(f"{URL}{data['id']}/launch/", format="json").json()
    assert again["already"] is True
    assert FollowUpTask.objects.filter(campaign_id=data["id"], worked_by="call_center").count() == 8
    detail = client.get(f"{URL}{data['id']}/").json()
    results = detail["results"]
    assert results["called"]["members"] == 8 and results["control"]["members"] == 2 and results["too_early"]
    assert results["return_rate_difference"]["method"] == "newcombe_hybrid_score"


def test_bad_input_answers_400_with_field_messages(world, lapsed, api):
    client = api("oem_analyst")
    assert "control_share" in client.post(URL, body(world, control_share=60), format="json").json()
    assert "states" in client.post(URL, body(world, states=[]), format="json").json()
    assert "tiers" in client.post(URL, body(world, tiers=["gold"]), format="json").json()
    assert "cluster" in client.post(URL, body(world, cluster=3), format="json").json()  # unknown field
    assert "dealer" in client.post(URL, body(world, dealer=world.dealers["B1"].pk), format="json").json()
    assert Campaign.objects.count() == 0


@pytest.mark.parametrize("name,status", [("oem_admin", 201), ("oem_analyst", 201), ("region_manager", 201),
                                         ("dealer_manager", 201), ("cc_supervisor", 403), ("cc_agent", 403),
                                         ("sales_consultant", 403), ("client_tenant_write", 403)])
def test_who_may_create(world, lapsed, api, name, status):
    assert api(name).post(URL, body(world), format="json").status_code == status


def test_a_region_manager_lists_only_their_regions_campaigns(world, lapsed, api):
    mine = make_campaign(world, dealer=world.dealers["A1"])
    other = make_campaign(world, dealer=world.dealers["A2"])
    network = make_campaign(world)
    ids = {row["id"] for row in api("region_manager").get(URL).json()["results"]}
    assert ids == {mine.pk}
    assert api("region_manager").get(f"{URL}{other.pk}/").status_code == 404
    assert api("region_manager").post(f"{URL}{network.pk}/launch/").status_code == 404
    assert {row["id"] for row in api("oem_analyst").get(URL).json()["results"]} == {mine.pk, other.pk, network.pk}
    assert api("sales_consultant").get(URL).json()["results"] == []


def test_another_tenants_campaign_answers_404(world, api):
    theirs = Campaign.objects.create(tenant=world.tenants["B"], name="B", dealer=world.dealers["B1"],
                                     criteria={"states": ["lapsed"]}, script="hi")
    assert api("oem_admin").get(f"{URL}{theirs.pk}/").status_code == 404
    assert api("oem_admin").post(f"{URL}{theirs.pk}/launch/").status_code == 404


def test_the_list_takes_the_same_queries_at_any_size(world, lapsed, api):
    for _n in range(4):
        make_campaign(world, dealer=world.dealers["A1"])
    client = api("oem_analyst")
    client.get("/api/v1/")
    assert count_list_queries(client, "retention/campaigns", 1) == count_list_queries(client, "retention/campaigns",
                                                                                       500) == 3
