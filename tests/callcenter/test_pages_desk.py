"""The agent workspace and the call screen in the browser: next call, reveal, outcome, callbacks, for every role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from callcenter.models import Call, FollowUpTask
from crm_site.models.audit import AuditEvent
from tests.helpers import EVERY_ROLE, browser, count_queries

from .queue_world import at, callable_customer, rules, task

NOW = at("2026-03-02", "10:00")
WORKERS = {"cc_agent", "cc_supervisor", "dealer_manager", "sales_consultant", "service_advisor"}


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def queue(world, frozen):
    by_code, a1 = rules(world.tenants["A"]), world.dealers["A1"]
    first = task(by_code["delivery"], callable_customer(a1, name="张伟"), a1, due_on=NOW.date())
    second = task(by_code["service"], callable_customer(a1, name="李娜"), a1, due_on=NOW.date())
    return first, second


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_the_workspace_opens_for_those_who_work_a_queue(world, queue, name):
    response = browser(world, name).get("/callcenter/")
    assert response.status_code == (200 if name in WORKERS else 403)


def test_an_agent_takes_the_next_call_reveals_the_number_and_records_no_answer(world, queue):
    first, second = queue
    agent = browser(world, "cc_agent")
    page = agent.get("/callcenter/")
    assert "ssi" in page.content.decode() and "csi" in page.content.decode()
    taken = agent.post("/callcenter/next/")
    assert taken.status_code == 302 and taken.url == f"/callcenter/tasks/{first.pk}/"
    screen = agent.get(taken.url).content.decode()
    assert "张伟您好" in screen and first.customer.mobile_masked in screen and first.customer.mobile not in screen
    revealed = agent.post(f"/callcenter/tasks/{first.pk}/reveal/")
    assert f'href="tel:{first.customer.mobile}"' in revealed.content.decode()
    assert AuditEvent.objects.filter(action="customer.reveal.mobile", object_id=first.customer_id).exists()
    saved = agent.post(taken.url, {"outcome": "no_answer", "notes": "无人接听", "duration_s": "35",
                                   "next_call": "on"})
    assert saved.status_code == 302 and saved.url == f"/callcenter/tasks/{second.pk}/"
    first.refresh_from_db()
    assert first.status == "open" and first.next_attempt_at == NOW + dt.timedelta(hours=2)
    assert Call.objects.get(follow_up=first).duration_s == 35


def test_a_form_error_keeps_what_was_typed(world, queue):
    agent = browser(world, "cc_agent")
    url = agent.post("/callcenter/next/").url
    response = agent.post(url, {"outcome": "callback", "notes": "请下午再打"})
    body = response.content.decode()
    assert response.status_code == 200 and "请下午再打" in body and "Say when to call back." in body
    bad = agent.post(url, {"outcome": "reached", "q_satisfied": "9"})
    assert "errors" in bad.content.decode()
    assert FollowUpTask.objects.get(pk=queue[0].pk).status == "claimed"


def test_a_held_task_brings_the_agent_back_to_it_and_others_see_it_read_only(world, queue):
    agent = browser(world, "cc_agent")
    url = agent.post("/callcenter/next/").url
    assert agent.get("/callcenter/").url == url
    other = browser(world, "cc_supervisor").get(url).content.decode()
    assert "Save outcome" not in other and "Held by" in other
    assert browser(world, "cc_supervisor").post(url, {"outcome": "reached"}).status_code == 403


def test_callbacks_are_listed_and_taken(world, queue):
    agent = browser(world, "cc_agent")
    url = agent.post("/callcenter/next/").url
    agent.post(url, {"outcome": "callback", "callback_at": "2026-03-02T15:00", "next_call": ""})
    page = agent.get("/callcenter/callbacks/").content.decode()
    assert "2026-03-02 15:00" in page
    taken = agent.post(f"/callcenter/callbacks/{queue[0].pk}/take/")
    assert taken.url == url


def test_another_tenants_or_stores_task_answers_404(world, queue):
    first, _second = queue
    b1 = world.dealers["B1"]
    foreign = task(rules(world.tenants["B"])["delivery"], callable_customer(b1), b1, due_on=NOW.date())
    for name in ("cc_agent", "service_advisor"):
        client = browser(world, name)
        for url in (f"/callcenter/tasks/{foreign.pk}/", ):
            assert client.get(url).status_code == 404
        for verb in ("reveal", "renew", "release"):
            assert client.post(f"/callcenter/tasks/{foreign.pk}/{verb}/").status_code == 404
    # A store does not see the call center's task about its own customer.
    assert browser(world, "service_advisor").get(f"/callcenter/tasks/{first.pk}/").status_code == 404


def test_the_call_screen_runs_a_constant_number_of_queries(world, queue):
    agent = browser(world, "cc_agent")
    url = agent.post("/callcenter/next/").url
    before = count_queries(agent, url)
    customer = FollowUpTask.objects.get(pk=queue[0].pk).customer
    for n in range(3):
        Call.objects.create(tenant=customer.tenant, customer=customer, dealer=queue[0].dealer, agent=None,
                            direction="inbound", started_at=NOW - dt.timedelta(days=n + 1))
        task(queue[0].rule, customer, queue[0].dealer, due_on=NOW.date() - dt.timedelta(days=30 + n),
             subject_id=10_000 + n, status="done")
    assert count_queries(agent, url) == before


def test_the_renew_keeps_the_lease_and_a_lost_task_says_so(world, queue, monkeypatch):
    agent = browser(world, "cc_agent")
    url = agent.post("/callcenter/next/").url
    assert agent.post(f"{url}renew/").status_code == 204
    monkeypatch.setattr(timezone, "now", lambda: NOW + dt.timedelta(minutes=40))
    browser(world, "cc_supervisor").post("/callcenter/next/")
    assert agent.post(f"{url}renew/").status_code == 409


def test_another_apps_call_section_is_shown_checked_and_saved_with_the_outcome(world, queue):
    from django.core.exceptions import ValidationError

    from crm_site.plugins import CallSection
    from crm_site.registry import registry

    saved = []

    def save(scope, task, data, outcome):
        if data.get("extra") != "ok":
            raise ValidationError({"extra": ["Say ok."]})
        saved.append((task.pk, outcome))

    section = CallSection(code="extra", applies=lambda task: task.queue == "ssi", template="fake_app/call_section.html",
                          context=lambda scope, task, data, errors: {"value": (data or {}).get("extra", ""),
                                                                     "errors": errors},
                          save=save)
    registry["call_sections"].append(section)
    try:
        agent = browser(world, "cc_agent")
        url = agent.post("/callcenter/next/").url
        assert 'id="extra"' in agent.get(url).content.decode()
        refused = agent.post(url, {"outcome": "reached", "extra": "no"})
        assert "Say ok." in refused.content.decode() and 'value="no"' in refused.content.decode()
        assert FollowUpTask.objects.get(pk=queue[0].pk).status == "claimed" and not Call.objects.exists()
        agent.post(url, {"outcome": "reached", "extra": "ok"})
        assert saved == [(queue[0].pk, "reached")]
        assert FollowUpTask.objects.get(pk=queue[0].pk).status == "done"
    finally:
        registry["call_sections"].remove(section)
