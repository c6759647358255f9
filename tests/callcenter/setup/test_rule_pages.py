"""The follow-up rule pages: HQ administrators create and change rules, HQ readers read, supervisors may pause."""

from __future__ import annotations

import json

import pytest

from callcenter import choices
from callcenter.models import FollowUpRule
from crm_site.models import AuditEvent
from tests.callcenter.factories import FollowUpRuleFactory
from tests.helpers import EVERY_ROLE, browser, count_queries, htmx

LIST = "/callcenter/rules/"
NEW = "/callcenter/rules/new/"
READERS = {"oem_admin", "oem_analyst", "cc_supervisor"}  # RULE_VIEW (or RULE_EDIT)
EDITORS = {"oem_admin"}  # RULE_EDIT
PAUSERS = {"oem_admin", "cc_supervisor"}  # RULE_EDIT or SUPERVISE


def rule_data(**overrides) -> dict:
    data = {"code": "ssi-7", "name": "交车七日回访", "trigger": choices.Trigger.SALE_DELIVERED, "offset_days": 7,
            "queue": "ssi", "worked_by": choices.WorkedBy.CALL_CENTER, "purpose": choices.Purpose.SURVEY,
            "due_window_days": 5, "max_attempts": 4, "priority": 2, "retry_no_answer": 90, "retry_busy": 15,
            "script": "{customer}您好，我是{agent}。", "is_active": "on",
            "questions_json": json.dumps([{"code": "ok", "text": "满意吗？", "type": "yes_no"}], ensure_ascii=False)}
    return data | overrides


@pytest.fixture
def rule(world):
    return FollowUpRuleFactory(tenant=world.tenants["A"], code="delivery", name="交车回访")


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_readers_see_rules_and_only_admins_change_them(world, rule, name):
    client = browser(world, name)
    page = client.get(LIST)
    assert page.status_code == (200 if name in READERS else 403)
    if page.status_code == 200:
        html = page.content.decode()
        assert "delivery" in html
        assert ('href="/callcenter/rules/new/"' in html) == (name in EDITORS)
    detail = f"/callcenter/rules/{rule.pk}/"
    shown = client.get(detail)
    assert shown.status_code == (200 if name in READERS else 403)
    if shown.status_code == 200:
        assert shown.context["may_edit"] == (name in EDITORS)
    assert client.get(NEW).status_code == (200 if name in EDITORS else 403)
    assert client.post(NEW, rule_data()).status_code == (302 if name in EDITORS else 403)
    assert client.post(detail, rule_data(code="delivery")).status_code == (302 if name in EDITORS else 403)
    paused = client.post(f"/callcenter/rules/{rule.pk}/active/", {"active": "0"})
    assert paused.status_code == (302 if name in PAUSERS else 403)
    assert client.post("/callcenter/rules/preview/", {"script": "{customer}"}).status_code == (
        200 if name in READERS else 403)


def test_list_shows_every_column_and_filters(world, rule):
    FollowUpRuleFactory(tenant=world.tenants["A"], code="birthday", trigger=choices.Trigger.BIRTHDAY, queue="care",
                        is_active=False)
    FollowUpRuleFactory(tenant=world.tenants["B"], code="other-tenant")
    client = browser(world, "oem_analyst")
    page = client.get(LIST)
    html = page.content.decode()
    assert "birthday" in html and "other-tenant" not in html
    for header in ("Offset (days)", "Queue", "Worked by", "Purpose", "Due window (days)", "Attempts", "Priority",
                   "Active"):
        assert header in html
    assert [r.code for r in client.get(LIST, {"trigger": "birthday"}).context["object_list"]] == ["birthday"]
    assert [r.code for r in client.get(LIST, {"is_active": "false"}).context["object_list"]] == ["birthday"]
    assert [r.code for r in client.get(LIST, {"queue": "ssi"}).context["object_list"]] == ["delivery"]


def test_admin_creates_a_rule_with_retry_spacing_and_questions(world):
    response = browser(world, "oem_admin").post(NEW, rule_data())
    assert response.status_code == 302
    created = FollowUpRule.objects.get(code="ssi-7")
    assert response["Location"] == f"/callcenter/rules/{created.pk}/"
    assert created.tenant == world.tenants["A"]
    assert created.retry_after_minutes == {"no_answer": 90, "busy": 15}
    assert created.questions == [{"code": "ok", "text": "满意吗？", "type": "yes_no"}]
    assert created.purpose == choices.Purpose.SURVEY and created.max_attempts == 4 and created.is_active
    assert AuditEvent.objects.filter(action="followup_rule.create", object_id=str(created.pk)).exists()


def test_admin_edits_a_rule_keeping_unshown_retry_outcomes(world, rule):
    rule.retry_after_minutes = {"no_answer": 120, "busy": 30, "callback": 10}
    rule.save()
    client = browser(world, "oem_admin")
    form = client.get(f"/callcenter/rules/{rule.pk}/").context["form"]
    assert form.initial["retry_no_answer"] == 120 and form.initial["retry_busy"] == 30
    response = client.post(f"/callcenter/rules/{rule.pk}/", rule_data(code="delivery", retry_busy="", name="新名字"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.name == "新名字" and rule.retry_after_minutes == {"no_answer": 90, "callback": 10}
    event = AuditEvent.objects.get(action="followup_rule.update")
    assert "name" in event.detail["changed"] and "retry_after_minutes" in event.detail["changed"]


def test_invalid_json_questions_keep_what_was_typed(world):
    typed = '[{"code": "ok", "text": "满意吗？", "type": "yes_no"'
    response = browser(world, "oem_admin").post(NEW, rule_data(questions_json=typed, name="保留我"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "questions_json" in errors and "Not valid JSON" in errors["questions_json"][0]
    html = response.content.decode()
    assert "保留我" in html and "满意吗？" in html
    assert not FollowUpRule.objects.filter(code="ssi-7").exists()


@pytest.mark.parametrize("questions, message", [
    ('{"code": "x"}', "list of at most 20"),
    ('[{"code": "ok", "text": "A", "type": "stars"}]', "the type must be one of"),
    ('[{"code": "ok", "text": "A", "type": "choice", "choices": ["only"]}]', "2 to 12 options"),
    ('[{"code": "a", "text": "A", "type": "text"}, {"code": "a", "text": "B", "type": "text"}]', "used twice"),
])
def test_questions_are_checked_like_the_api(world, questions, message):
    response = browser(world, "oem_admin").post(NEW, rule_data(questions_json=questions))
    assert response.status_code == 200
    assert message in response.context["form"].errors["questions_json"][0]


def test_field_errors_for_retry_range_offset_and_a_taken_code(world, rule):
    client = browser(world, "oem_admin")
    response = client.post(NEW, rule_data(retry_no_answer=0, offset_days=99999, code="delivery", priority=12))
    assert response.status_code == 200
    assert {"retry_no_answer", "offset_days", "code", "priority"} <= set(response.context["form"].errors)
    # Another tenant's code does not count.
    FollowUpRuleFactory(tenant=world.tenants["B"], code="b-only")
    assert client.post(NEW, rule_data(code="b-only")).status_code == 302


def test_pause_and_resume_from_the_list(world, rule):
    client = browser(world, "cc_supervisor")
    response = client.post(f"/callcenter/rules/{rule.pk}/active/", {"active": "0", "next": "list"})
    assert response.status_code == 302 and response["Location"] == LIST
    rule.refresh_from_db()
    assert not rule.is_active
    client.post(f"/callcenter/rules/{rule.pk}/active/", {"active": "1"})
    rule.refresh_from_db()
    assert rule.is_active
    assert list(AuditEvent.objects.filter(object_id=str(rule.pk)).order_by("id").values_list("action", flat=True)) == [
        "followup_rule.pause", "followup_rule.resume"]


def test_the_script_preview_fills_placeholders_with_sample_values(world, rule):
    client = browser(world, "oem_admin")
    page = client.get(f"/callcenter/rules/{rule.pk}/")
    html = page.content.decode()
    for placeholder in ("{customer}", "{model}", "{vin}", "{plate}", "{dealer}", "{date}", "{due_on}", "{agent}"):
        assert placeholder in html
    assert "Mr Zhang" in page.context["preview"]
    fragment = htmx(client, "post", "/callcenter/rules/preview/", {"script": "{customer}，车牌{plate}，{unknown}{"})
    assert fragment.status_code == 200
    assert "{customer}，车牌{plate}，{unknown}{" in fragment.content.decode()  # unbalanced: shown as written
    filled = htmx(client, "post", "/callcenter/rules/preview/", {"script": "{customer}，车牌{plate}，{unknown}"})
    assert "Mr Zhang，车牌沪A12345，{unknown}" in filled.content.decode()


def test_an_analyst_sees_a_read_only_form(world, rule):
    page = browser(world, "oem_analyst").get(f"/callcenter/rules/{rule.pk}/")
    assert all(field.disabled for field in page.context["form"].fields.values())
    assert 'type="submit" class="primary"' not in page.content.decode()


def test_another_tenants_rule_answers_404(world):
    foreign = FollowUpRuleFactory(tenant=world.tenants["B"])
    for name in ("oem_admin", "dealer_manager"):
        client = browser(world, name)
        assert client.get(f"/callcenter/rules/{foreign.pk}/").status_code == 404
        assert client.post(f"/callcenter/rules/{foreign.pk}/", rule_data()).status_code == 404
        assert client.post(f"/callcenter/rules/{foreign.pk}/active/", {"active": "0"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active


def test_rule_list_runs_a_constant_number_of_queries(world):
    client = browser(world, "oem_admin")
    FollowUpRuleFactory(tenant=world.tenants["A"])
    few = count_queries(client, LIST)
    FollowUpRuleFactory.create_batch(6, tenant=world.tenants["A"])
    assert count_queries(client, LIST) == few
