"""The queue's API: claim-next, renew, release and outcome for every kind of principal; calls; the DMS pull."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from callcenter.models import Call, FollowUpTask
from crm_site.scope import Scope
from dealers.choices import Role
from dealers.services import user_token_issue
from tests.dealers.factories import TenantFactory, UserFactory

from .queue_world import at, callable_customer, rules, task

NOW = at("2026-03-02", "10:00")


@pytest.fixture
def frozen(monkeypatch):
    """The API's clock at Monday 2 March 2026, 10:00 in Shanghai (inside the calling window)."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def tasks(world, frozen):
    by_code, a1, a2 = rules(world.tenants["A"]), world.dealers["A1"], world.dealers["A2"]
    return {
        "cc": task(by_code["delivery"], callable_customer(a1), a1, due_on=NOW.date()),
        "store": task(by_code["maintenance"], callable_customer(a1), a1, due_on=NOW.date(), worked_by="dealer"),
        "other_store": task(by_code["maintenance"], callable_customer(a2), a2, due_on=NOW.date(),
                            worked_by="dealer"),
    }


CLAIM = "/api/v1/follow-ups/claim-next/"


@pytest.mark.parametrize("name, expected", [
    ("cc_agent", "cc"), ("cc_supervisor", "cc"), ("service_advisor", "store"), ("dealer_manager", "store"),
    ("sales_consultant", "store"),
])
def test_claim_next_gives_each_worker_the_task_of_its_own_queue(api, tasks, name, expected):
    response = api(name).post(CLAIM, {}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == tasks[expected].pk and body["status"] == "claimed" and body["bundle"] == []
    assert body["claimed_until"].startswith("2026-03-02T10:15")
    assert api(name).post(CLAIM, {}, format="json").status_code == 204


@pytest.mark.parametrize("name", ["oem_admin", "oem_analyst", "region_manager", "client_dealer_write",
                                  "client_dealer_read", "client_tenant_write"])
def test_who_works_no_queue_cannot_claim(api, tasks, name):
    assert api(name).post(CLAIM, {}, format="json").status_code == 403


def test_an_agent_of_another_tenant_claims_nothing_and_sees_nothing(api, world, tasks):
    b_agent = UserFactory(username="b_agent", role=Role.CC_AGENT, tenant=world.tenants["B"], dealer=None)
    token, _row = user_token_issue(user=b_agent)
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.post(CLAIM, {}, format="json").status_code == 204
    assert client.get("/api/v1/follow-ups/").json()["results"] == []
    for t in tasks.values():
        for verb in ("release", "outcome", "renew"):
            assert client.post(f"/api/v1/follow-ups/{t.pk}/{verb}/", {"outcome": "reached"},
                               format="json").status_code == 404


def test_a_store_sees_only_what_it_works_and_not_another_stores(api, tasks):
    ids = {row["id"] for row in api("service_advisor").get("/api/v1/follow-ups/").json()["results"]}
    assert ids == {tasks["store"].pk}
    assert api("service_advisor").get(f"/api/v1/follow-ups/{tasks['cc'].pk}/").status_code == 404
    assert api("service_advisor").get(f"/api/v1/follow-ups/{tasks['other_store'].pk}/").status_code == 404
    # The store's DMS pulls every follow-up about its customers, the call center's outcomes included.
    dms = {row["id"] for row in api("client_dealer_read").get("/api/v1/follow-ups/").json()["results"]}
    assert dms == {tasks["cc"].pk, tasks["store"].pk}


def test_outcome_by_the_holder_only_with_field_errors(api, tasks):
    t = tasks["cc"]
    url = f"/api/v1/follow-ups/{t.pk}/outcome/"
    assert api("cc_agent").post(url, {"outcome": "reached"}, format="json").status_code == 403  # not claimed
    api("cc_agent").post(CLAIM, {}, format="json")
    assert api("cc_supervisor").post(url, {"outcome": "reached"}, format="json").status_code == 403
    bad = api("cc_agent").post(url, {"outcome": "maybe"}, format="json")
    assert bad.status_code == 400 and "outcome" in bad.json()
    missing = api("cc_agent").post(url, {"outcome": "callback"}, format="json")
    assert missing.status_code == 400 and "callback_at" in missing.json()
    wrong_answer = api("cc_agent").post(url, {"outcome": "reached", "answers": {"satisfied": 7}}, format="json")
    assert wrong_answer.status_code == 400 and "answers.satisfied" in wrong_answer.json()
    done = api("cc_agent").post(url, {"outcome": "no_answer", "notes": "无人接听", "duration_s": 40}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "open" and done.json()["next_attempt_at"].startswith("2026-03-02T12:00")
    call = Call.objects.get(follow_up=t)
    assert call.outcome == "no_answer" and call.duration_s == 40 and call.direction == "outbound"


def test_release_and_renew(api, tasks):
    api("cc_agent").post(CLAIM, {}, format="json")
    t = tasks["cc"]
    assert api("cc_agent").post(f"/api/v1/follow-ups/{t.pk}/renew/").status_code == 200
    assert api("cc_supervisor").post(f"/api/v1/follow-ups/{t.pk}/renew/").status_code == 403
    released = api("cc_agent").post(f"/api/v1/follow-ups/{t.pk}/release/")
    assert released.status_code == 200 and released.json()["status"] == "open"
    assert api("cc_supervisor").post(CLAIM, {}, format="json").json()["id"] == t.pk


def test_the_dms_pulls_outcomes_changed_since_its_last_sync(api, tasks):
    api("cc_agent").post(CLAIM, {}, format="json")
    api("cc_agent").post(f"/api/v1/follow-ups/{tasks['cc'].pk}/outcome/", {"outcome": "reached"}, format="json")
    FollowUpTask.objects.filter(pk=tasks["store"].pk).update(updated_at=NOW - dt.timedelta(days=1))
    rows = api("client_dealer_read").get("/api/v1/follow-ups/", {
        "updated_after": (NOW - dt.timedelta(minutes=1)).isoformat()}).json()["results"]
    assert [(row["id"], row["outcome"], row["status"]) for row in rows] == [(tasks["cc"].pk, "reached", "done")]


def test_claim_outside_the_calling_window_says_when_it_opens(api, tasks, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at("2026-03-02", "21:00"))
    response = api("cc_agent").post(CLAIM, {}, format="json")
    assert response.status_code == 204 and response["X-Next-Calling-Slot"].startswith("2026-03-03T09:00")


def test_calls_inbound_is_the_call_centers_and_a_store_logs_its_visits(api, world, frozen):
    customer = callable_customer(world.dealers["A1"])
    inbound = {"direction": "inbound", "category": "inquiry", "customer": customer.pk, "notes": "问保养价格"}
    made = api("cc_agent").post("/api/v1/calls/", inbound, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["agent"] == world.principals["cc_agent"].user.pk
    assert api("service_advisor").post("/api/v1/calls/", inbound, format="json").status_code == 403
    visit = {"direction": "outbound", "kind": "visit", "category": "other", "customer": customer.pk}
    assert api("dealer_manager").post("/api/v1/calls/", visit, format="json").status_code == 201
    nobody = api("cc_agent").post("/api/v1/calls/", {"direction": "inbound"}, format="json")
    assert nobody.status_code == 400 and "customer" in nobody.json()
    stranger = api("cc_agent").post("/api/v1/calls/", {"direction": "inbound", "caller_number": "13800138000"},
                                    format="json")
    assert stranger.status_code == 201 and stranger.json()["caller_number"] == "+8613800138000"


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_never_get_the_same_task(monkeypatch):
    """Eight agents claim from one queue of 60 tasks at once, each on its own database connection."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    from callcenter.queue import followup_claim_next
    from tests.dealers.factories import DealerFactory, RegionFactory

    tenant = TenantFactory(slug="concurrency")
    dealer = DealerFactory(tenant=tenant, region=RegionFactory(tenant=tenant))
    by_code = rules(tenant)
    for _ in range(60):
        task(by_code["delivery"], callable_customer(dealer), dealer, due_on=NOW.date())
    agents = [UserFactory(username=f"agent{n}", role=Role.CC_AGENT, tenant=tenant, dealer=None) for n in range(8)]
    claimed: dict[int, list[int]] = {agent.pk: [] for agent in agents}
    start = threading.Barrier(len(agents))

    def work(agent):
        scope = Scope(tenant_id=tenant.pk, role=Role.CC_AGENT, user_id=agent.pk)
        try:
            start.wait()
            while True:
                got = followup_claim_next(scope=scope, now=NOW)
                if not got:
                    break
                claimed[agent.pk].extend(t.pk for t in got)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [pk for pks in claimed.values() for pk in pks]
    assert len(every) == len(set(every)) == 60
    assert sum(1 for pks in claimed.values() if pks) > 1
    holders = dict(FollowUpTask.objects.filter(tenant=tenant).values_list("pk", "assigned_to_id"))
    assert all(holders[pk] == agent for agent, pks in claimed.items() for pk in pks)
