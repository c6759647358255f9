"""The survey API for every principal of the world: templates, invitations, responses and survey-indices."""

import pytest
from django.utils import timezone

from crm_site.scope import Scope
from surveys.models import SurveyResponse
from surveys.services import response_record
from tests.conftest import PRINCIPALS

from .factories import invitation, ssi_answers, templates

pytestmark = pytest.mark.django_db

TEMPLATE_READERS = {"oem_admin", "oem_analyst", "cc_supervisor", "cc_agent", "client_dealer_write",
                    "client_dealer_read", "client_tenant_write"}
RESPONSE_READERS = {"oem_admin", "oem_analyst", "cc_supervisor", "cc_agent", "region_manager", "dealer_manager",
                    "client_dealer_write", "client_dealer_read", "client_tenant_write"}
RECORDERS = {"cc_agent", "cc_supervisor", "client_dealer_write", "client_tenant_write"}
INDEX_READERS = RESPONSE_READERS - {"cc_agent"}


@pytest.fixture
def answered(world):
    """Tenant A: two responses at A1 (index 1000 and 0), one at A2 (500); tenant B: one at B1."""
    out = {}
    for key, level in (("A1", 10), ("A1", 1), ("A2", None), ("B1", 10)):
        dealer = world.dealers[key]
        ssi = templates(dealer.tenant)["ssi"]
        answers = ssi_answers(**dict.fromkeys(ssi_answers(), level)) if level else {
            "overall": 10, "initiation": 1, "salesperson": 1, "deal": 10, "facility": 10, "delivery": 1,
            "recommend": 8}
        answers["recommend"] = 10 if level == 10 else (0 if level == 1 else 8)
        out.setdefault(key, []).append(response_record(
            scope=Scope.system(dealer.tenant_id), invitation=invitation(ssi, dealer), answers=answers, via="link"))
    return out


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_templates_are_read_by_hq_the_call_center_and_clients(world, name):
    templates(world.tenants["A"])
    templates(world.tenants["B"])
    rows = world.principals[name].api().get("/api/v1/survey-templates/").json()["results"]
    assert (len(rows) == 3) == (name in TEMPLATE_READERS)
    assert all(r["is_current"] for r in rows)


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_only_oem_admins_change_templates_and_a_change_is_a_new_version(world, name):
    ssi = templates(world.tenants["A"])["ssi"]
    answer = world.principals[name].api().patch(f"/api/v1/survey-templates/{ssi.pk}/", {"sample_rate": 0.5},
                                                format="json")
    if name == "oem_admin":
        assert answer.status_code == 200 and answer.json()["version"] == 2 and answer.json()["id"] != ssi.pk
    else:
        assert answer.status_code == (403 if name in TEMPLATE_READERS else 404)


def test_a_template_with_bad_questions_is_refused_with_field_messages(world):
    api = world.principals["oem_admin"].api()
    answer = api.post("/api/v1/survey-templates/", {"code": "x", "name": "X", "kind": "custom", "questions": [
        {"code": "q", "text": "?", "type": "scale", "scale_min": 1, "scale_max": 5}]}, format="json")
    assert answer.status_code == 400 and "exactly one" in str(answer.json())
    ok = api.post("/api/v1/survey-templates/", {"code": "x", "name": "X", "kind": "custom", "questions": [
        {"code": "q", "text": "?", "type": "nps", "is_overall": True}]}, format="json")
    assert ok.status_code == 201 and ok.json()["version"] == 1
    assert api.delete(f"/api/v1/survey-templates/{ok.json()['id']}/").status_code == 405


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_invitations_are_listed_within_the_scope_with_their_link(world, name):
    made = {key: invitation(templates(world.dealers[key].tenant)["ssi"], world.dealers[key])
            for key in ("A1", "A2", "B1")}
    principal = world.principals[name]
    answer = principal.api().get("/api/v1/survey-invitations/")
    assert answer.status_code == 200
    ids = {row["id"] for row in answer.json()["results"]}
    expected = {made[k].pk for k in principal.sees if k in made} if name in RESPONSE_READERS else set()
    assert ids == expected
    for row in answer.json()["results"]:
        assert row["url"].startswith("http://testserver/s/") and row["subject"]["kind"] == "sale"
    other = made["B1"].pk
    assert principal.api().get(f"/api/v1/survey-invitations/{other}/").status_code == 404


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_responses_are_posted_by_agents_and_write_clients(world, name):
    ssi = templates(world.tenants["A"])["ssi"]
    mine, other = invitation(ssi, world.dealers["A1"]), invitation(ssi, world.dealers["A2"])
    api = world.principals[name].api()
    body = {"invitation": mine.pk, "answers": [{"question": k, "value": v} for k, v in ssi_answers().items()]}
    answer = api.post("/api/v1/survey-responses/", body, format="json")
    if name not in RECORDERS:
        assert answer.status_code == 403
        return
    assert answer.status_code == 201, answer.content
    assert answer.json()["index"] == pytest.approx(1000 * 7 / 9, abs=0.01)
    assert answer.json()["via"] == ("api" if name.startswith("client") else "call")
    again = api.post("/api/v1/survey-responses/", body, format="json")
    assert again.status_code == 400 and "already answered" in str(again.json())
    foreign = api.post("/api/v1/survey-responses/", body | {"invitation": other.pk}, format="json")
    assert foreign.status_code == (201 if "A2" in world.principals[name].sees else 400)
    assert api.patch(f"/api/v1/survey-responses/{answer.json()['id']}/", {}, format="json").status_code == 405


def test_a_bad_answer_is_a_400_with_the_question_named(world):
    ssi = templates(world.tenants["A"])["ssi"]
    inv = invitation(ssi, world.dealers["A1"])
    answer = world.principals["cc_agent"].api().post("/api/v1/survey-responses/", {
        "invitation": inv.pk, "answers": [{"question": "overall", "value": 99}]}, format="json")
    assert answer.status_code == 400 and {"overall", "deal"} <= set(answer.json())


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_indices_per_dealer_are_hand_computed_and_scoped(world, answered, name):
    ssi = templates(world.tenants["A"])["ssi"]
    month = timezone.localdate().strftime("%Y-%m")
    answer = world.principals[name].api().get("/api/v1/survey-indices/", {"template": ssi.pk, "month": month})
    if name not in INDEX_READERS:
        assert answer.status_code == 403
        return
    assert answer.status_code == 200
    rows = {r["dealer"]: r for r in answer.json()["results"]}
    a1, a2 = world.dealers["A1"].pk, world.dealers["A2"].pk
    assert set(rows) == {world.dealers[k].pk for k in world.principals[name].sees}
    if a1 in rows:
        # A1: one response all 10s (1000) and one all 1s (0): mean 500; top box 1 of 2; NPS one 10 one 0 → 0.
        assert rows[a1] | {"factors": None} == rows[a1] | {
            "responses": 2, "index": 500.0, "top_box_rate": 0.5, "nps": 0.0, "small_sample": True, "rank": 1,
            "ranked": 2, "change": None, "previous_index": None, "factors": None}
        assert rows[a1]["factors"]["salesperson"] == 500.0
    if a2 in rows:
        # A2: overall 10 (w2), deal 10, facility 10 → 1; initiation, salesperson (w2), delivery (w2) 1 → 0.
        assert rows[a2]["index"] == pytest.approx(1000 * 4 / 9, abs=0.1)
        assert rows[a2]["rank"] == 2 and rows[a2]["nps"] == 0.0 and rows[a2]["top_box_rate"] == 1.0


def test_indices_by_region_and_tenant(world, answered):
    ssi = templates(world.tenants["A"])["ssi"]
    api = world.principals["oem_analyst"].api()
    month = timezone.localdate().strftime("%Y-%m")
    tenant = api.get("/api/v1/survey-indices/", {"template": ssi.pk, "month": month, "group_by": "tenant"}).json()
    [row] = tenant["results"]
    assert row["tenant"] == world.tenants["A"].pk and row["responses"] == 3
    assert row["index"] == pytest.approx((1000 + 0 + 1000 * 4 / 9) / 3, abs=0.1)
    assert row["nps"] == pytest.approx(0.0)  # one promoter, one detractor, one passive
    regions = api.get("/api/v1/survey-indices/", {"template": ssi.pk, "month": month, "group_by": "region"}).json()
    assert {r["region"] for r in regions["results"]} == {world.dealers["A1"].region_id, world.dealers["A2"].region_id}


def test_indices_compare_with_the_previous_month(world, answered):
    import datetime as dt

    ssi = templates(world.tenants["A"])["ssi"]
    this = timezone.localdate().replace(day=1)
    before = (this - dt.timedelta(days=1)).replace(day=1)
    SurveyResponse.objects.filter(pk=answered["A1"][1].pk).update(month=before)
    rows = {r["dealer"]: r for r in world.principals["oem_admin"].api().get("/api/v1/survey-indices/", {
        "template": ssi.pk, "month": this.strftime("%Y-%m")}).json()["results"]}
    assert rows[world.dealers["A1"].pk]["index"] == 1000.0
    assert rows[world.dealers["A1"].pk]["change"] == 1000.0


@pytest.mark.parametrize("params", [{}, {"template": "x", "month": "2026-01"}, {"template": "1", "month": "26-1"},
                                    {"template": "1", "month": "2026-01", "group_by": "city"}])
def test_bad_index_parameters_are_a_400(world, params):
    answer = world.principals["oem_admin"].api().get("/api/v1/survey-indices/", params)
    assert answer.status_code == 400


def test_another_tenants_template_is_unknown(world):
    other = templates(world.tenants["B"])["ssi"]
    answer = world.principals["oem_admin"].api().get("/api/v1/survey-indices/", {"template": other.pk,
                                                                                 "month": "2026-01"})
    assert answer.status_code == 400 and "template" in answer.json()
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/survey-indices/", {"template": other.pk, "month": "2026-01"}).status_code == 401
