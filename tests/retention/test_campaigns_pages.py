"""Campaign pages: who opens and launches them, the live preview, the results page and the members export, 404 for
other tenants' and regions' campaigns, and constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_site.models import AuditEvent
from retention.campaigns.models import Campaign
from tests.helpers import EVERY_ROLE, browser, count_queries, htmx

from .campaign_helpers import LAUNCH_DAY, at, build, call, lapsed_car, launch, make_campaign

pytestmark = pytest.mark.django_db

VIEWERS = ["oem_admin", "oem_analyst", "region_manager", "dealer_manager", "cc_supervisor"]
CREATORS = ["oem_admin", "oem_analyst", "region_manager", "dealer_manager"]


@pytest.fixture
def lapsed(world):
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    cars = [lapsed_car(a1) for _n in range(6)] + [lapsed_car(a1, do_not_call=True), lapsed_car(a2)]
    build(a1)
    return cars


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_the_pages_open_for_the_roles_access_names(world, lapsed, name):
    client = browser(world, name)
    assert client.get("/retention/campaigns/").status_code == (200 if name in VIEWERS else 403)
    assert client.get("/retention/campaigns/new/").status_code == (200 if name in CREATORS else 403)
    campaign = make_campaign(world, dealer=world.dealers["A1"])
    assert client.get(f"/retention/campaigns/{campaign.pk}/").status_code == (200 if name in VIEWERS else 403)
    status = client.post(f"/retention/campaigns/{campaign.pk}/launch/").status_code
    assert status == (302 if name in CREATORS else 403)


def test_an_analyst_builds_previews_saves_and_launches_a_campaign(world, lapsed):
    client = browser(world, "oem_analyst")
    a1 = world.dealers["A1"]
    body = {"name": "BJ 流失召回", "dealer": a1.pk, "states": ["lapsed"], "worked_by": "dealer", "control_share": 20,
            "script": "{customer}您好，欢迎回店。"}
    fragment = htmx(client, "post", "/retention/campaigns/preview/", body).content.decode()
    assert 'id="preview-segment">7<' in fragment and 'id="preview-control">1<' in fragment
    assert 'id="preview-called">5<' in fragment and "勿扰" in fragment
    bad = client.post("/retention/campaigns/new/", body | {"control_share": 80})
    assert bad.status_code == 400 and "BJ 流失召回" in bad.content.decode()  # what was typed is kept
    response = client.post("/retention/campaigns/new/", body)
    campaign = Campaign.objects.get(name="BJ 流失召回")
    assert response.status_code == 302 and response["Location"] == f"/retention/campaigns/{campaign.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'id="preview-called">5<' in page and 'id="launch"' in page
    client.post(f"/retention/campaigns/{campaign.pk}/launch/")
    campaign.refresh_from_db()
    assert campaign.is_launched and campaign.launch_result["called"] == 5
    page = client.get(f"/retention/campaigns/{campaign.pk}/").content.decode()
    assert 'id="too-early"' in page and 'id="results"' in page and "Newcombe" in page
    assert 'id="launch"' not in page


def test_the_preview_shows_field_errors_without_figures(world, lapsed):
    fragment = htmx(browser(world, "oem_analyst"), "post", "/retention/campaigns/preview/",
                    {"states": [], "control_share": 10}).content.decode()
    assert 'id="preview-segment"' not in fragment


def test_a_region_manager_sees_their_regions_campaigns_only(world, lapsed):
    mine = make_campaign(world, by="region_manager")  # no dealer chosen: the whole region
    assert mine.region_id == world.regions["A1"].pk and mine.dealer_id is None
    other = make_campaign(world, by="oem_admin", dealer=world.dealers["A2"])
    network = make_campaign(world, by="oem_admin")
    client = browser(world, "region_manager")
    assert client.get(f"/retention/campaigns/{mine.pk}/").status_code == 200
    assert client.get(f"/retention/campaigns/{other.pk}/").status_code == 404
    assert client.get(f"/retention/campaigns/{network.pk}/").status_code == 404
    assert client.post(f"/retention/campaigns/{other.pk}/launch/").status_code == 404
    # A store's manager does not see the region's campaign, which holds other stores' customers.
    assert browser(world, "dealer_manager").get(f"/retention/campaigns/{mine.pk}/").status_code == 404
    response = client.post("/retention/campaigns/new/", {"name": "x", "dealer": world.dealers["A2"].pk,
                                                         "states": ["lapsed"], "worked_by": "dealer",
                                                         "control_share": 10, "script": "hi"})
    assert response.status_code == 400  # another region's dealer is not a choice


def test_another_tenants_campaign_answers_404(world, lapsed):
    b1 = world.dealers["B1"]
    lapsed_car(b1)
    build(b1)
    theirs = Campaign.objects.create(tenant=world.tenants["B"], name="B", dealer=b1, criteria={"states": ["lapsed"]},
                                     script="hi")
    client = browser(world, "oem_admin")
    assert client.get(f"/retention/campaigns/{theirs.pk}/").status_code == 404
    assert client.post(f"/retention/campaigns/{theirs.pk}/launch/").status_code == 404
    assert client.get(f"/retention/campaigns/{theirs.pk}/", {"format": "csv"}).status_code == 404


def read(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


def test_the_members_export_is_scoped_masked_and_audited(world, lapsed):
    campaign = make_campaign(world, dealer=world.dealers["A1"])
    launch(world, campaign)
    response = browser(world, "oem_analyst").get(f"/retention/campaigns/{campaign.pk}/", {"format": "csv"})
    text = read(response)
    assert response.status_code == 200 and text.count("\n") == 1 + 7
    car = lapsed[0]
    national = car.owner.mobile.removeprefix("+86")
    assert car.vin in text and national not in text and car.owner.mobile_masked in text  # HQ sees masked mobiles
    assert AuditEvent.objects.filter(action="campaign.export", object_id=str(campaign.pk)).exists()
    # The store's manager calls these customers: full numbers; the XLSX holds the same rows.
    manager = browser(world, "dealer_manager")
    assert national in read(manager.get(f"/retention/campaigns/{campaign.pk}/", {"format": "csv"}))
    response = manager.get(f"/retention/campaigns/{campaign.pk}/", {"format": "xlsx"})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet.max_row == 1 + 7
    assert browser(world, "cc_supervisor").get(f"/retention/campaigns/{campaign.pk}/",
                                               {"format": "csv"}).status_code == 404


def test_pages_run_a_constant_number_of_queries(world, lapsed):
    client = browser(world, "oem_analyst")
    a1 = world.dealers["A1"]
    first = make_campaign(world, dealer=a1)
    launch(world, first)
    counts = (count_queries(client, "/retention/campaigns/"), count_queries(client, "/retention/campaigns/new/"),
              count_queries(client, f"/retention/campaigns/{first.pk}/"))
    draft = make_campaign(world, dealer=a1)
    draft_count = count_queries(client, f"/retention/campaigns/{draft.pk}/")
    for _n in range(10):
        lapsed_car(a1)
    build(a1)
    second = make_campaign(world, dealer=a1)
    launch(world, second)
    for member in second.members.filter(group="called").select_related("task")[:5]:
        call(member.task, at(LAUNCH_DAY, 11))
    for _n in range(3):
        make_campaign(world, dealer=a1)
    assert (count_queries(client, "/retention/campaigns/"), count_queries(client, "/retention/campaigns/new/"),
            count_queries(client, f"/retention/campaigns/{second.pk}/")) == counts
    assert count_queries(client, f"/retention/campaigns/{draft.pk}/") == draft_count


def test_the_scorecard_links_its_lapsed_list_to_a_new_campaign(world, lapsed):
    a1 = world.dealers["A1"]
    page = browser(world, "oem_analyst").get(f"/retention/dealers/{a1.pk}/", {"as_of": "2026-06-30"})
    assert f"/retention/campaigns/new/?dealer={a1.pk}&amp;states=lapsed" in page.content.decode()
    form = browser(world, "oem_analyst").get("/retention/campaigns/new/", {"dealer": a1.pk, "states": "lapsed"})
    assert 'id="preview-segment">7<' in form.content.decode()


def test_launch_without_a_snapshot_says_so(world):
    campaign = make_campaign(world, dealer=world.dealers["A1"])
    response = browser(world, "oem_analyst").post(f"/retention/campaigns/{campaign.pk}/launch/", follow=True)
    assert "快照" in response.content.decode() or "snapshot" in response.content.decode()
    campaign.refresh_from_db()
    assert not campaign.is_launched and dt.date.today()
