"""The generation run log: HQ readers see the runs and their skip reasons; admins and supervisors run it for a date."""

from __future__ import annotations

import datetime as dt
import sys
import types

import pytest
from django.utils import timezone

from callcenter import choices
from callcenter.models import FollowUpRun
from tests.callcenter.factories import FollowUpRuleFactory, FollowUpRunFactory
from tests.helpers import EVERY_ROLE, browser, count_queries

LIST = "/callcenter/runs/"
NEW = "/callcenter/runs/new/"
READERS = {"oem_admin", "oem_analyst", "cc_supervisor"}  # RULE_VIEW or FOLLOWUP_GENERATE
RUNNERS = {"oem_admin", "cc_supervisor"}  # FOLLOWUP_GENERATE


@pytest.fixture
def fake_generation(monkeypatch):
    """followups_generate as the generation module will offer it: records its calls, writes a run row."""
    calls = []

    def followups_generate(*, scope, on, source, started_by=None):
        calls.append({"scope": scope, "on": on, "source": source, "started_by": started_by})
        return FollowUpRun.objects.create(tenant_id=scope.tenant_id, run_on=on, source=source, started_by=started_by,
                                          finished_at=timezone.now(), created_count=3)

    module = types.ModuleType("callcenter.generation")
    module.followups_generate = followups_generate
    monkeypatch.setitem(sys.modules, "callcenter.generation", module)
    return calls


@pytest.fixture
def run(world):
    rule = FollowUpRuleFactory(tenant=world.tenants["A"], code="delivery", name="交车回访")
    return FollowUpRunFactory(
        tenant=world.tenants["A"], run_on=dt.date(2026, 3, 5), created_count=12, existing_count=4, skipped_count=5,
        expired_count=2,
        per_rule=[{"rule": rule.pk, "code": "delivery", "name": "交车回访", "created": 12, "existing": 4,
                   "skipped": {"do_not_call": 2, "no_consent": 3}, "seconds": 0.4},
                  {"rule": 999_999, "code": "gone", "name": "已删除", "created": 0, "existing": 0,
                   "skipped": {"open_task": 0, "something_new": 1}, "seconds": 0.1}])


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_readers_see_runs_and_runners_start_one(world, run, fake_generation, name):
    client = browser(world, name)
    page = client.get(LIST)
    assert page.status_code == (200 if name in READERS else 403)
    if page.status_code == 200:
        assert ('action="/callcenter/runs/new/"' in page.content.decode()) == (name in RUNNERS)
    assert client.get(f"/callcenter/runs/{run.pk}/").status_code == (200 if name in READERS else 403)
    assert client.get(NEW).status_code == (200 if name in RUNNERS else 403)
    response = client.post(NEW, {"on": timezone.localdate().isoformat()})
    assert response.status_code == (302 if name in RUNNERS else 403)
    assert len(fake_generation) == (1 if name in RUNNERS else 0)


def test_run_now_calls_generation_for_the_date_and_shows_the_run(world, fake_generation):
    user = world.principals["cc_supervisor"].user
    day = timezone.localdate() - dt.timedelta(days=1)
    response = browser(world, "cc_supervisor").post(NEW, {"on": day.isoformat()})
    created = FollowUpRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/callcenter/runs/{created.pk}/"
    (call,) = fake_generation
    assert call["on"] == day and call["source"] == choices.RunSource.BROWSER and call["started_by"] == user
    assert call["scope"].tenant_id == world.tenants["A"].pk


def test_run_now_refuses_a_bad_date_and_keeps_it(world, fake_generation):
    client = browser(world, "oem_admin")
    response = client.post(NEW, {"on": "2026-02-30"})
    assert response.status_code == 200 and "on" in response.context["form"].errors
    assert 'value="2026-02-30"' in response.content.decode()
    far = client.post(NEW, {"on": (timezone.localdate() + dt.timedelta(days=800)).isoformat()})
    assert far.status_code == 200 and "within a year" in far.content.decode()
    assert fake_generation == []


def test_run_now_without_the_generation_module_is_a_form_error(world, monkeypatch):
    monkeypatch.setitem(sys.modules, "callcenter.generation", None)  # importing it raises ImportError
    response = browser(world, "oem_admin").post(NEW, {"on": timezone.localdate().isoformat()})
    assert response.status_code == 200 and "not available" in response.content.decode()


def test_the_list_shows_the_counts_with_their_definitions(world, run):
    FollowUpRunFactory(tenant=world.tenants["B"], created_count=777)
    page = browser(world, "oem_analyst").get(LIST)
    html = page.content.decode()
    assert list(page.context["object_list"]) == [run]
    assert "2026-03-05" in html and "777" not in html
    assert 'title="Tasks this run added"' in html and "Already there" in html and "Expired" in html


def test_the_detail_shows_per_rule_rows_and_skip_reasons(world, run):
    page = browser(world, "oem_analyst").get(f"/callcenter/runs/{run.pk}/")
    html = page.content.decode()
    codes = [code for code, _label in page.context["reasons"]]
    assert codes == ["do_not_call", "no_consent", "open_task", "something_new"]
    assert str(choices.SkipReason.DO_NOT_CALL.label) in html and str(choices.SkipReason.NO_CONSENT.label) in html
    assert "Skipped because: Do not call" in html
    first, second = page.context["rows"]
    assert first["skipped"] == [2, 3, 0, 0] and first["skipped_total"] == 5 and first["link"]
    assert second["skipped"] == [0, 0, 0, 1] and not second["link"]
    assert f'href="/callcenter/rules/{run.per_rule[0]["rule"]}/"' in html


def test_another_tenants_run_answers_404(world):
    foreign = FollowUpRunFactory(tenant=world.tenants["B"])
    for name in ("oem_admin", "service_advisor"):
        assert browser(world, name).get(f"/callcenter/runs/{foreign.pk}/").status_code == 404


def test_run_list_runs_a_constant_number_of_queries(world):
    client = browser(world, "oem_admin")
    user = world.principals["oem_admin"].user
    FollowUpRunFactory(tenant=world.tenants["A"], started_by=user)
    few = count_queries(client, LIST)
    FollowUpRunFactory.create_batch(5, tenant=world.tenants["A"], started_by=user)
    assert count_queries(client, LIST) == few


def test_run_now_with_the_real_generation_logs_a_run(world):
    FollowUpRuleFactory(tenant=world.tenants["A"], code="delivery")
    response = browser(world, "oem_admin").post(NEW, {"on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    run = FollowUpRun.objects.get(tenant=world.tenants["A"])
    assert run.source == choices.RunSource.BROWSER and run.started_by == world.principals["oem_admin"].user
    assert browser(world, "oem_analyst").get(f"/callcenter/runs/{run.pk}/").status_code == 200
