"""Landing widgets of the customers app: a consultant's leads to work, the store's pipeline; scope and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import choices
from dealers.choices import Role
from dealers.models import User
from tests.customers.factories import LeadFactory
from tests.helpers import EVERY_ROLE, browser, count_queries


def widget(response, code: str) -> dict:
    return next(w for w in response.context["widgets"] if w["code"] == code)


@pytest.fixture
def consultant(world):
    return world.principals["sales_consultant"].user


def test_my_leads_groups_overdue_due_today_and_new_with_links(world, consultant):
    a1 = world.dealers["A1"]
    today = timezone.localdate()
    late = LeadFactory(dealer=a1, assigned_to=consultant, stage=choices.LeadStage.CONTACTED,
                       next_action_on=today - timedelta(days=2))
    due = LeadFactory(dealer=a1, assigned_to=consultant, stage=choices.LeadStage.TEST_DRIVE, next_action_on=today)
    new = LeadFactory(dealer=a1, assigned_to=consultant)
    later = LeadFactory(dealer=a1, assigned_to=consultant, stage=choices.LeadStage.CONTACTED,
                        next_action_on=today + timedelta(days=3))
    won = LeadFactory(dealer=a1, assigned_to=consultant, stage=choices.LeadStage.WON, next_action_on=today)
    colleague = User.objects.create_user("xiaowang", tenant=a1.tenant, role=Role.SALES_CONSULTANT, dealer=a1)
    theirs = LeadFactory(dealer=a1, assigned_to=colleague, next_action_on=today)
    response = browser(world, "sales_consultant").get("/")
    groups = {group["key"]: group for group in widget(response, "my_leads")["groups"]}
    assert [lead.pk for lead in groups["overdue"]["leads"]] == [late.pk]
    assert [lead.pk for lead in groups["due_today"]["leads"]] == [due.pk]
    assert [lead.pk for lead in groups["new"]["leads"]] == [new.pk]
    assert (groups["overdue"]["total"], groups["due_today"]["total"], groups["new"]["total"]) == (1, 1, 1)
    page = response.content.decode()
    for lead in (late, due, new):
        assert reverse("customers:lead-detail", args=[lead.pk]) in page
    for lead in (later, won, theirs):
        assert reverse("customers:lead-detail", args=[lead.pk]) not in page


def test_an_uncontacted_new_lead_counts_as_overdue_once(world, consultant):
    lead = LeadFactory(dealer=world.dealers["A1"], assigned_to=consultant)
    lead.created_at = timezone.now() - timedelta(hours=30)
    lead.save(update_fields=["created_at"])
    groups = {g["key"]: g for g in widget(browser(world, "sales_consultant").get("/"), "my_leads")["groups"]}
    assert [x.pk for x in groups["overdue"]["leads"]] == [lead.pk] and not groups["new"]["leads"]


def test_store_leads_counts_the_own_store_only(world, consultant):
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    LeadFactory(dealer=a1, stage=choices.LeadStage.CONTACTED, next_action_on=timezone.localdate() - timedelta(days=1))
    LeadFactory(dealer=a1, stage=choices.LeadStage.NEGOTIATION)
    LeadFactory(dealer=a1)
    LeadFactory(dealer=a1, stage=choices.LeadStage.WON)
    LeadFactory(dealer=a2)
    LeadFactory(dealer=world.dealers["B1"])
    data = widget(browser(world, "dealer_manager").get("/"), "store_leads")
    by_stage = {row["stage"]: row["count"] for row in data["stages"]}
    assert by_stage == {"new": 1, "contacted": 1, "test_drive": 0, "negotiation": 1}
    assert (data["open_total"], data["overdue"], data["new_today"]) == (3, 1, 4)


def test_another_dealers_lead_never_shows_on_a_home_page(world, consultant):
    other = LeadFactory(dealer=world.dealers["A2"], assigned_to=consultant, next_action_on=timezone.localdate())
    foreign = LeadFactory(dealer=world.dealers["B1"], next_action_on=timezone.localdate())
    for name in EVERY_ROLE:
        page = browser(world, name).get("/").content.decode()
        assert reverse("customers:lead-detail", args=[foreign.pk]) not in page, name
        assert reverse("customers:lead-detail", args=[other.pk]) not in page, name


@pytest.mark.parametrize("name", ["sales_consultant", "dealer_manager"])
def test_lead_widgets_run_a_constant_number_of_queries(world, consultant, name):
    a1 = world.dealers["A1"]
    client = browser(world, name)
    LeadFactory(dealer=a1, assigned_to=consultant, next_action_on=timezone.localdate())
    few = count_queries(client, "/")
    for stage in (choices.LeadStage.NEW, choices.LeadStage.CONTACTED, choices.LeadStage.TEST_DRIVE):
        LeadFactory.create_batch(4, dealer=a1, assigned_to=consultant, stage=stage,
                                 next_action_on=timezone.localdate() - timedelta(days=1))
    assert count_queries(client, "/") == few


def test_an_agent_sees_the_leads_they_opened_and_what_became_of_them(world):
    from customers.leads import lead_create, lead_move

    agent = world.principals["cc_agent"]
    lead = lead_create(scope=agent.scope, dealer_id=world.dealers["A2"].pk, source="hotline",
                       customer_data={"name": "来电客户", "mobile": "13900001111"})
    lead_move(scope=world.principals["oem_admin"].scope, lead=lead, stage="contacted")
    lead_create(scope=world.principals["cc_supervisor"].scope, dealer_id=world.dealers["A1"].pk, source="hotline",
                customer_data={"name": "别人接的", "mobile": "13900002222"})
    content = browser(world, "cc_agent").get("/").content.decode()
    assert "来电客户" in content and "别人接的" not in content and f"/customers/leads/{lead.pk}/" in content
