"""The `complaints` resource: tenancy, every action for every principal, filters, and a DMS pulling and answering."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from callcenter.access import COMPLAINT_CONFIRM, COMPLAINT_ESCALATE, COMPLAINT_OPEN, COMPLAINT_WORK
from callcenter.complaints import services
from callcenter.models import Complaint, ComplaintStatus
from crm_site.scope import Scope
from tests.conftest import PRINCIPALS
from tests.customers.factories import CustomerFactory

from .factories import open_complaint

URL = "/api/v1/complaints/"

# action → (permission, the body, how to bring a fresh complaint into the state the action needs)
ACTIONS = {
    "acknowledge": (COMPLAINT_WORK, {"note": "已致电客户"}, None),
    "note": (COMPLAINT_WORK, {"text": "零件已订"}, None),
    "wait": (COMPLAINT_WORK, {"note": "等客户提供照片"}, None),
    "resume": (COMPLAINT_WORK, {}, "waiting"),
    "resolve": (COMPLAINT_WORK, {"resolution": "免费更换"}, "acknowledged"),
    "confirm": (COMPLAINT_CONFIRM, {"accepted": False, "note": "仍不满意"}, "resolved"),
    "escalate": (COMPLAINT_ESCALATE, {"reason": "客户要求总部介入"}, None),
}


def prepared(dealer, state):
    complaint = open_complaint(dealer)
    scope = Scope.system(dealer.tenant_id)
    if state == "waiting":
        services.complaint_wait(scope=scope, complaint=complaint)
    if state in ("acknowledged", "resolved"):
        services.complaint_acknowledge(scope=scope, complaint=complaint)
    if state == "resolved":
        services.complaint_resolve(scope=scope, complaint=complaint, resolution="已处理")
    return complaint


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_for_every_principal(world, action):
    permission, body, state = ACTIONS[action]
    for name in PRINCIPALS:
        principal = world.principals[name]
        api = principal.api()
        for key in ("A2", "B1"):
            if key not in principal.sees:
                hidden = prepared(world.dealers[key], state)
                assert api.post(f"{URL}{hidden.pk}/{action}/", body, format="json").status_code == 404, (name, key)
        mine = prepared(world.dealers["A1"], state)
        response = api.post(f"{URL}{mine.pk}/{action}/", body, format="json")
        expected = 200 if permission.allows(principal.scope) else 403
        assert response.status_code == expected, (name, action, response.content)
        if expected == 200:
            assert response.json()["id"] == mine.pk


def test_each_principal_lists_only_its_scope(world):
    made = {key: open_complaint(world.dealers[key]) for key in ("A1", "A2", "B1", "B2")}
    for name, principal in world.principals.items():
        response = principal.api().get(URL, {"page_size": 500})
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        assert ids == {made[key].pk for key in principal.sees}, name


def test_region_manager_sees_the_region_only(world):
    a1, a2 = open_complaint(world.dealers["A1"]), open_complaint(world.dealers["A2"])
    api = world.principals["region_manager"].api()
    assert api.get(f"{URL}{a1.pk}/").status_code == 200
    assert api.get(f"{URL}{a2.pk}/").status_code == 404


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_opening_through_the_api(world, name):
    principal = world.principals[name]
    customer = CustomerFactory(dealer=world.dealers["A1"])
    body = {"customer": customer.pk, "dealer": world.dealers["A1"].pk, "channel": "hotline", "severity": "high",
            "description": "销售承诺的赠品未兑现"}
    response = principal.api().post(URL, body, format="json")
    if not COMPLAINT_OPEN.allows(principal.scope):
        assert response.status_code == 403
        return
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"].startswith("TS") and data["status"] == "open" and data["level"] == "dealer"
    assert [event["kind"] for event in data["events"]] == ["opened"]
    assert data["first_contact_due"] and data["resolution_due"]


def test_opening_refuses_other_dealers_and_tenants_and_bad_input(world):
    api = world.principals["dealer_manager"].api()
    theirs = CustomerFactory(dealer=world.dealers["B1"])
    response = api.post(URL, {"customer": theirs.pk, "description": "x"}, format="json")
    assert response.status_code == 400 and "customer" in response.json()
    mine = CustomerFactory(dealer=world.dealers["A1"])
    response = api.post(URL, {"customer": mine.pk, "dealer": world.dealers["A2"].pk, "description": "x"},
                        format="json")
    assert response.status_code == 400 and "dealer" in response.json()
    response = api.post(URL, {"customer": mine.pk, "description": " ", "severity": "nonsense"}, format="json")
    assert response.status_code == 400
    response = api.post(URL, {"customer": mine.pk, "description": "服务态度差"}, format="json")
    assert response.status_code == 201 and response.json()["channel"] == "dealer"


def test_bad_action_input_answers_400_with_the_field(world):
    api = world.principals["cc_agent"].api()
    complaint = prepared(world.dealers["A1"], "resolved")
    response = api.post(f"{URL}{complaint.pk}/confirm/", {"accepted": False}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    response = api.post(f"{URL}{complaint.pk}/confirm/", {"note": "x"}, format="json")
    assert response.status_code == 400 and "accepted" in response.json()
    response = api.post(f"{URL}{complaint.pk}/acknowledge/", {}, format="json")
    assert response.status_code == 400 and "status" in response.json()


def test_rejected_confirmation_reopens_with_new_due_times(world):
    api = world.principals["cc_agent"].api()
    complaint = open_complaint(world.dealers["A1"], at=timezone.now() - dt.timedelta(days=2))
    services.complaint_resolve(scope=Scope.system(complaint.tenant_id), complaint=complaint, resolution="已处理")
    before = complaint.resolution_due
    response = api.post(f"{URL}{complaint.pk}/confirm/", {"accepted": False, "note": "问题依旧"}, format="json")
    data = response.json()
    assert data["status"] == ComplaintStatus.REOPENED and data["reopen_count"] == 1
    assert dt.datetime.fromisoformat(data["resolution_due"]) > before


def test_filters(world):
    overdue = open_complaint(world.dealers["A1"], severity="critical",
                             at=timezone.now() - dt.timedelta(days=3))
    fresh = open_complaint(world.dealers["A2"])
    api = world.principals["oem_admin"].api()

    def ids(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(overdue="true") == {overdue.pk}
    assert ids(overdue="false") == {fresh.pk}
    assert ids(severity="critical") == {overdue.pk}
    assert ids(dealer=world.dealers["A2"].pk) == {fresh.pk}
    assert ids(status="open", level="dealer") == {overdue.pk, fresh.pk}
    assert api.get(URL, {"dealer": world.dealers["B1"].pk}).status_code == 400
    assert api.get(URL, {"level": "nonsense"}).status_code == 400


def test_a_dms_pulls_its_dealers_complaints_and_answers_them(world):
    client = world.principals["client_dealer_write"]
    api = client.api()
    since = timezone.now() - dt.timedelta(seconds=1)
    mine = open_complaint(world.dealers["A1"])
    open_complaint(world.dealers["A2"])
    rows = api.get(URL, {"updated_after": since.isoformat()}).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert api.post(f"{URL}{mine.pk}/acknowledge/", {"note": "DMS: 已回电"}, format="json").status_code == 200
    assert api.post(f"{URL}{mine.pk}/resolve/", {"resolution": "DMS: 已维修"}, format="json").status_code == 200
    mine.refresh_from_db()
    assert mine.status == ComplaintStatus.RESOLVED
    assert mine.events.filter(api_client=client.client).count() == 2
    read_only = world.principals["client_dealer_read"].api()
    assert read_only.post(f"{URL}{mine.pk}/note/", {"text": "x"}, format="json").status_code == 403


def test_complaints_are_never_deleted(world):
    complaint = open_complaint(world.dealers["A1"])
    assert world.principals["oem_admin"].api().delete(f"{URL}{complaint.pk}/").status_code == 405
    assert Complaint.objects.filter(pk=complaint.pk).exists()


def test_patch_corrects_the_severity_and_moves_the_due_times(world):
    complaint = open_complaint(world.dealers["A1"], severity="normal")
    api = world.principals["cc_agent"].api()
    response = api.patch(f"{URL}{complaint.pk}/", {"severity": "critical"}, format="json")
    assert response.status_code == 200, response.content
    complaint.refresh_from_db()
    assert complaint.resolution_due == complaint.opened_at + dt.timedelta(hours=24)
    response = api.patch(f"{URL}{complaint.pk}/", {"dealer": world.dealers["A2"].pk}, format="json")
    assert response.status_code == 400 and "dealer" in response.json()
