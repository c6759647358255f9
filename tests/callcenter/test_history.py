"""Change history of complaints and follow-up rules: the API, a page, a management command and a Celery task each
record who and through what; the panels are shown to those who see the object, and to nobody else."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from callcenter.complaints.tasks import complaints_escalate_task
from callcenter.models import ComplaintHistory, FollowUpRuleHistory, Level
from crm_site.scope import Scope
from tests.callcenter.complaints.factories import open_complaint
from tests.callcenter.factories import FollowUpRuleFactory
from tests.helpers import browser, htmx


def last(model, obj):
    return model.objects.filter(pgh_obj_id=obj.pk).order_by("-pgh_id").first()


def test_a_complaint_changed_through_the_api_names_who_and_the_api(world, api):
    complaint = open_complaint(world.dealers["A1"])
    assert last(ComplaintHistory, complaint).pgh_label == "insert"
    response = api("cc_agent").post(f"/api/v1/complaints/{complaint.pk}/escalate/", {"reason": "客户再次来电"},
                                    format="json")
    assert response.status_code == 200, response.content
    event = last(ComplaintHistory, complaint)
    assert event.level == Level.REGION and event.pgh_context["channel"] == "api"
    assert event.pgh_context["user"] == world.principals["cc_agent"].user.pk


def test_the_escalation_command_is_recorded_as_the_command(world):
    complaint = open_complaint(world.dealers["A1"], at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))
    call_command("escalate_complaints", "--tenant", "tenant-a", "--at", "2026-03-10T10:00", stdout=StringIO())
    event = last(ComplaintHistory, complaint)
    assert event.level != Level.DEALER
    assert event.pgh_context == {**event.pgh_context, "channel": "command", "command": "escalate_complaints",
                                 "role": "system", "user": None}


def test_the_escalation_task_is_recorded_as_the_task(world):
    complaint = open_complaint(world.dealers["A1"], at=timezone.now() - dt.timedelta(days=20))
    complaints_escalate_task.delay(scope=Scope.system(world.tenants["A"].pk))
    event = last(ComplaintHistory, complaint)
    assert event.level != Level.DEALER
    assert (event.pgh_context["channel"], event.pgh_context["task"]) == ("task", "complaints_escalate_task")


def test_the_complaint_panel_is_for_those_who_see_the_complaint(world):
    complaint = open_complaint(world.dealers["A2"])
    url = f"/history/complaint/{complaint.pk}/"
    assert htmx(browser(world, "cc_supervisor"), "get", url).status_code == 200
    assert browser(world, "dealer_manager").get(url).status_code == 404  # A1's manager: another dealer's
    foreign = open_complaint(world.dealers["B1"])
    assert browser(world, "oem_admin").get(f"/history/complaint/{foreign.pk}/").status_code == 404
    page = browser(world, "cc_supervisor").get(f"/callcenter/complaints/{complaint.pk}/").content.decode()
    assert f'hx-get="{url}"' in page


def test_a_rule_changed_on_its_page_and_through_the_api(world, api):
    rule = FollowUpRuleFactory(tenant=world.tenants["A"])
    client = browser(world, "oem_admin")
    assert client.post(f"/callcenter/rules/{rule.pk}/active/", {"active": "0"}).status_code == 302
    event = last(FollowUpRuleHistory, rule)
    assert (event.is_active, event.pgh_context["channel"]) == (False, "web")
    assert event.pgh_context["path"] == f"/callcenter/rules/{rule.pk}/active/"
    assert api("oem_admin").patch(f"/api/v1/follow-up-rules/{rule.pk}/", {"priority": 2},
                                  format="json").status_code == 200
    assert last(FollowUpRuleHistory, rule).pgh_context["channel"] == "api"
    panel = htmx(client, "get", f"/history/follow_up_rule/{rule.pk}/").content.decode()
    assert str(world.principals["oem_admin"].user) in panel
    # The rules page is HQ's and the call center's: a store's manager gets no history of it either.
    assert browser(world, "dealer_manager").get(f"/history/follow_up_rule/{rule.pk}/").status_code == 404


def test_an_erasure_blanks_the_complaint_text_in_its_history(world, api):
    complaint = open_complaint(world.dealers["A1"], description="客户住在朝阳区，电话13912345678")
    customer = complaint.customer
    done = api("oem_admin").post(f"/api/v1/customers/{customer.pk}/erase/", {
        "reason": "客户来电要求", "confirm_name": customer.name}, format="json")
    assert done.status_code == 200, done.content
    texts = set(ComplaintHistory.objects.filter(pgh_obj_id=complaint.pk).values_list("description", flat=True))
    assert texts == {""}
