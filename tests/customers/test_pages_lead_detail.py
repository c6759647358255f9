"""The lead page: the lead's facts and notes, its stage history, the customer's history, actions; 404 out of scope."""

from __future__ import annotations

import pytest
from django.utils import timezone

from customers import choices
from customers.leads import lead_create, lead_move
from tests.customers.factories import CustomerFactory, LeadFactory
from tests.helpers import EVERY_ROLE, browser, count_queries
from tests.vehicles.factories import ServiceVisitFactory


@pytest.fixture
def lead(world, car_model):
    a1 = world.dealers["A1"]
    manager = world.principals["dealer_manager"].scope
    customer = CustomerFactory(dealer=a1, name="李四")
    lead = lead_create(scope=manager, dealer_id=a1.pk, source=choices.LeadSource.WALK_IN, customer=customer,
                       interested_model=car_model, next_action_on=timezone.localdate(), notes="想周末试驾")
    lead_move(scope=manager, lead=lead, stage=choices.LeadStage.CONTACTED, note="打过电话")
    ServiceVisitFactory(dealer=a1, vehicle__owner=customer, customer=customer)
    return lead


def url(lead) -> str:
    return f"/customers/leads/{lead.pk}/"


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_every_role_that_sees_the_lead_opens_it(world, lead, name):
    response = browser(world, name).get(url(lead))
    assert response.status_code == 200
    page = response.content.decode()
    assert "想周末试驾" in page and "凯美瑞" in page
    assert [change.to_stage for change in response.context["history"]] == ["new", "contacted"]
    assert any(event.kind == "service_visit" for event in response.context["timeline"])


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_another_dealers_or_tenants_lead_answers_404(world, name):
    a2_lead = LeadFactory(dealer=world.dealers["A2"])
    b_lead = LeadFactory(dealer=world.dealers["B1"])
    client = browser(world, name)
    assert client.get(url(b_lead)).status_code == 404
    sees_a2 = "A2" in world.principals[name].sees
    assert client.get(url(a2_lead)).status_code == (200 if sees_a2 else 404)


def test_mobile_is_masked_for_roles_that_may_not_see_it(world, lead):
    national = lead.customer.mobile.removeprefix("+86")
    assert national in browser(world, "sales_consultant").get(url(lead)).content.decode()
    hq = browser(world, "oem_analyst").get(url(lead)).content.decode()
    assert national not in hq and national[:3] in hq


def test_actions_follow_the_permissions(world, lead):
    manager = browser(world, "dealer_manager").get(url(lead)).context
    assert manager["moves"] and manager["can_lose"] and manager["may_assign"] and manager["may_sell"]
    assert "won" not in dict(manager["moves"])
    analyst = browser(world, "oem_analyst").get(url(lead)).context
    assert not analyst["moves"] and not analyst["can_lose"] and not analyst["may_assign"] and not analyst["may_sell"]
    advisor = browser(world, "service_advisor").get(url(lead)).context
    assert not advisor["moves"] and not advisor["may_sell"]


def test_a_move_from_the_page_comes_back_to_it(world, lead):
    client = browser(world, "dealer_manager")
    response = client.post(f"/customers/leads/{lead.pk}/move/", {"stage": "test_drive", "next": url(lead)})
    assert response.status_code == 302 and response["Location"] == url(lead)
    lead.refresh_from_db()
    assert lead.stage == choices.LeadStage.TEST_DRIVE


def test_board_cards_link_to_the_lead(world, lead):
    page = browser(world, "dealer_manager").get("/customers/leads/").content.decode()
    assert f'href="{url(lead)}"' in page


def test_lead_page_runs_a_constant_number_of_queries(world, lead):
    client = browser(world, "dealer_manager")
    few = count_queries(client, url(lead))
    for stage in ("test_drive", "negotiation"):
        lead_move(scope=world.principals["dealer_manager"].scope, lead=lead, stage=stage)
    ServiceVisitFactory.create_batch(3, dealer=world.dealers["A1"], vehicle__owner=lead.customer,
                                     customer=lead.customer)
    assert count_queries(client, url(lead)) == few
