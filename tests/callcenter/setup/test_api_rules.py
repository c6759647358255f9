"""The follow-up-rules resource: HQ readers and API clients read, OEM administrators write, nobody deletes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callcenter import choices
from callcenter.models import FollowUpRule
from crm_site.models import AuditEvent
from tests.callcenter.factories import FollowUpRuleFactory

from ...conftest import PRINCIPALS

URL = "/api/v1/follow-up-rules/"
FIELDS = {"id", "code", "name", "trigger", "offset_days", "queue", "worked_by", "purpose", "due_window_days",
          "max_attempts", "retry_after_minutes", "priority", "script", "questions", "is_active"}
# RULE_VIEW: HQ readers and every API client; RULE_EDIT: the OEM administrator only.
READERS = {"oem_admin", "oem_analyst", "cc_supervisor", "client_dealer_write", "client_dealer_read",
           "client_tenant_write"}
WRITERS = {"oem_admin"}


def body(**overrides) -> dict:
    data = {"code": "ssi-7", "name": "交车七日回访", "trigger": "sale_delivered", "offset_days": 7, "queue": "ssi",
            "worked_by": "call_center", "purpose": "survey", "due_window_days": 5, "max_attempts": 4,
            "retry_after_minutes": {"no_answer": 90, "busy": 15}, "priority": 2, "script": "{customer}您好",
            "questions": [{"code": "ok", "text": "满意吗？", "type": "yes_no"}], "is_active": True}
    return data | overrides


@pytest.fixture
def rule(world):
    return FollowUpRuleFactory(tenant=world.tenants["A"], code="delivery")


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_every_principal_reads_only_what_its_role_allows(world, api, rule, name):
    foreign = FollowUpRuleFactory(tenant=world.tenants["B"])
    client = api(name)
    listed = client.get(URL)
    assert listed.status_code == 200
    ids = [row["id"] for row in listed.json()["results"]]
    assert ids == ([rule.pk] if name in READERS else [])
    assert client.get(f"{URL}{rule.pk}/").status_code == (200 if name in READERS else 404)
    assert client.get(f"{URL}{foreign.pk}/").status_code == 404
    assert client.patch(f"{URL}{foreign.pk}/", {"name": "x"}).status_code == 404
    created = client.post(URL, body())
    assert created.status_code == (201 if name in WRITERS else 403), created.content
    changed = client.patch(f"{URL}{rule.pk}/", {"name": "改名"})
    assert changed.status_code == (200 if name in WRITERS else 403 if name in READERS else 404)


def test_a_rule_has_exactly_the_contract_fields(world, api, rule):
    row = api("client_tenant_write").get(f"{URL}{rule.pk}/").json()
    assert set(row) == FIELDS
    assert row["retry_after_minutes"] == {"no_answer": 120, "busy": 30}


def test_admin_creates_a_rule_and_it_is_audited(world, api):
    refused = api("oem_admin").post(URL, body() | {"tenant": world.tenants["B"].pk})
    assert refused.status_code == 400 and "tenant" in refused.json()
    response = api("oem_admin").post(URL, body())
    assert response.status_code == 201, response.content
    created = FollowUpRule.objects.get(pk=response.json()["id"])
    assert created.tenant == world.tenants["A"]
    assert created.retry_after_minutes == {"no_answer": 90, "busy": 15}
    assert created.questions == [{"code": "ok", "text": "满意吗？", "type": "yes_no"}]
    assert AuditEvent.objects.filter(action="followup_rule.create", object_id=str(created.pk)).exists()


def test_defaults_fill_what_is_left_out(world, api):
    response = api("oem_admin").post(URL, {"code": "min", "name": "最少", "trigger": "birthday", "offset_days": 0,
                                           "queue": "care", "purpose": "service"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["worked_by"] == "call_center" and data["is_active"] and data["questions"] == []
    assert data["retry_after_minutes"] == {"no_answer": 120, "busy": 30}


def test_put_replaces_the_rule(world, api, rule):
    response = api("oem_admin").put(f"{URL}{rule.pk}/", body(code="delivery", questions=[]))
    assert response.status_code == 200, response.content
    rule.refresh_from_db()
    assert rule.offset_days == 7 and rule.purpose == "survey" and rule.questions == []
    assert rule.retry_after_minutes == {"no_answer": 90, "busy": 15}


def test_delete_is_not_allowed_pausing_is_is_active(world, api, rule):
    client = api("oem_admin")
    assert client.delete(f"{URL}{rule.pk}/").status_code == 405
    foreign = FollowUpRuleFactory(tenant=world.tenants["B"])
    assert client.delete(f"{URL}{foreign.pk}/").status_code == 404  # outside the scope: not found, as ever
    assert FollowUpRule.objects.filter(pk=rule.pk).exists()
    response = client.patch(f"{URL}{rule.pk}/", {"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    rule.refresh_from_db()
    assert not rule.is_active
    event = AuditEvent.objects.get(action="followup_rule.update")
    assert event.detail["changed"] == ["is_active"]


@pytest.mark.parametrize("overrides, field", [
    ({"retry_after_minutes": {"no_answer": 0}}, "retry_after_minutes"),
    ({"retry_after_minutes": {"reached": 10}}, "retry_after_minutes"),
    ({"retry_after_minutes": [1, 2]}, "retry_after_minutes"),
    ({"retry_after_minutes": {"busy": "30"}}, "retry_after_minutes"),
    ({"questions": {"code": "x"}}, "questions"),
    ({"questions": [{"code": "a b", "text": "A", "type": "text"}]}, "questions"),
    ({"questions": [{"code": "a", "text": "A", "type": "choice", "choices": ["one"]}]}, "questions"),
    ({"questions": "not json"}, "questions"),
    ({"trigger": "moon_phase"}, "trigger"),
    ({"worked_by": "robot"}, "worked_by"),
    ({"purpose": "spam"}, "purpose"),
    ({"offset_days": 4000}, "offset_days"),
    ({"due_window_days": 0}, "due_window_days"),
    ({"max_attempts": 11}, "max_attempts"),
    ({"priority": 0}, "priority"),
    ({"code": "has space"}, "code"),
    ({"script": "x" * 4001}, "script"),
])
def test_invalid_input_is_a_400_naming_the_field(world, api, overrides, field):
    response = api("oem_admin").post(URL, body(**overrides))
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


def test_a_code_taken_in_the_tenant_is_a_400_on_create_and_update(world, api, rule):
    client = api("oem_admin")
    response = client.post(URL, body(code="delivery"))
    assert response.status_code == 400 and "code" in response.json()
    other = FollowUpRuleFactory(tenant=world.tenants["A"], code="other")
    assert client.patch(f"{URL}{other.pk}/", {"code": "delivery"}).status_code == 400
    assert client.patch(f"{URL}{rule.pk}/", {"code": "delivery", "name": "同码"}).status_code == 200
    FollowUpRuleFactory(tenant=world.tenants["B"], code="b-only")
    assert client.post(URL, body(code="b-only")).status_code == 201


def test_filters_trigger_queue_active_and_updated_after(world, api, rule):
    tenant = world.tenants["A"]
    birthday = FollowUpRuleFactory(tenant=tenant, code="birthday", trigger=choices.Trigger.BIRTHDAY, queue="care",
                                   is_active=False)
    client = api("cc_supervisor")

    def codes(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return sorted(row["code"] for row in response.json()["results"])

    assert codes(trigger="birthday") == ["birthday"]
    assert codes(queue="ssi") == ["delivery"]
    assert codes(is_active="false") == ["birthday"]
    assert codes(is_active="true") == ["delivery"]
    FollowUpRule.objects.filter(pk=birthday.pk).update(updated_at=rule.updated_at.replace(year=2030))
    assert codes(updated_after=rule.updated_at.replace(year=2029).isoformat()) == ["birthday"]
    assert client.get(URL, {"trigger": "moon_phase"}).status_code == 400
    assert client.get(URL, {"updated_after": "yesterday"}).status_code == 400


def test_the_list_is_cursor_paginated(world, api):
    FollowUpRuleFactory.create_batch(3, tenant=world.tenants["A"])
    first = api("oem_admin").get(URL, {"page_size": 2}).json()
    assert set(first) == {"next", "previous", "results"} and len(first["results"]) == 2
    second = api("oem_admin").get(first["next"]).json()
    assert len(second["results"]) == 1


def test_the_list_takes_a_constant_number_of_queries(world, api):
    client = api("oem_admin")
    FollowUpRuleFactory(tenant=world.tenants["A"])
    client.get("/api/v1/")  # the token's first use stamps last_used_at

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"page_size": 500}).status_code == 200
        return len(ctx.captured_queries)

    # 1. the token with its user, entering row-level security; 2. the page of rules; 3. leaving row-level security
    few = count()
    FollowUpRuleFactory.create_batch(5, tenant=world.tenants["A"])
    assert count() == few == 3


def test_the_resource_is_in_the_openapi_schema(db, client):
    schema = client.get("/api/schema/?format=json").content.decode()
    assert "/api/v1/follow-up-rules/" in schema and "/api/v1/follow-up-rules/{id}/" in schema
