"""The lead pipeline: access, new leads with balanced assignment, moves, reassignment, filters and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Lead, LeadStageChange
from dealers.choices import Role
from dealers.models import User
from tests.customers.factories import CustomerFactory, LeadFactory
from tests.helpers import EVERY_ROLE, browser, count_queries, htmx

# url → roles that open it (customers.access: LEAD_BOARD, LEAD_OWN, LEAD_EDIT)
LEAD_PAGES = {
    "/customers/leads/": {"dealer_manager", "sales_consultant", "region_manager", "oem_admin", "oem_analyst"},
    "/customers/leads/mine/": {"sales_consultant"},
    "/customers/leads/new/": {"oem_admin", "dealer_manager", "sales_consultant", "cc_supervisor", "cc_agent"},
}


@pytest.fixture
def second_consultant(world):
    return User.objects.create_user("xiaowang", tenant=world.tenants["A"], role=Role.SALES_CONSULTANT,
                                    dealer=world.dealers["A1"], full_name="小王")


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_lead_pages_open_by_role(world, name):
    client = browser(world, name)
    for url, roles in LEAD_PAGES.items():
        assert client.get(url).status_code == (200 if name in roles else 403), url


def test_board_shows_columns_with_counts_and_cards_of_the_own_dealer_only(world):
    a1 = world.dealers["A1"]
    LeadFactory(dealer=a1, customer=CustomerFactory(dealer=a1, name="周杰"), stage="new")
    LeadFactory(dealer=a1, stage="contacted")
    LeadFactory(dealer=a1, stage="contacted")
    LeadFactory(dealer=world.dealers["A2"], customer=CustomerFactory(dealer=world.dealers["A2"], name="外店客户"))
    content = browser(world, "dealer_manager").get("/customers/leads/").content.decode()
    assert "周杰" in content and "外店客户" not in content
    assert '<h2 id="col-contacted">' in content and '<span class="count">2</span>' in content


def test_new_lead_is_given_to_the_least_loaded_consultant(world, second_consultant):
    busy = world.principals["sales_consultant"].user
    LeadFactory(dealer=world.dealers["A1"], assigned_to=busy)
    client = browser(world, "dealer_manager")
    response = client.post("/customers/leads/new/", {"customer": "", "name": "吴彦", "mobile": "13811112222",
                                                      "source": "walk_in", "referred_by": ""})
    assert response.status_code == 302, response.content.decode()
    lead = Lead.objects.get(customer__name="吴彦")
    assert lead.assigned_to == second_consultant and lead.dealer == world.dealers["A1"] and lead.stage == "new"


def test_new_lead_form_errors_keep_the_input(world):
    client = browser(world, "sales_consultant")
    response = client.post("/customers/leads/new/", {"name": "吴彦", "mobile": "138", "source": "referral",
                                                      "notes": "想看混动"})
    content = response.content.decode()
    assert response.status_code == 200 and content.count('role="alert"') >= 2
    assert 'value="吴彦"' in content and "想看混动" in content
    assert not Lead.objects.exists()


def test_referral_names_the_referring_customer(world):
    referrer = CustomerFactory(dealer=world.dealers["A1"], name="老客户")
    response = browser(world, "sales_consultant").post("/customers/leads/new/", {
        "name": "新朋友", "mobile": "13822223333", "source": "referral", "referred_by": referrer.pk})
    assert response.status_code == 302
    assert Lead.objects.get().referred_by == referrer


def test_new_lead_for_an_existing_customer(world):
    customer = CustomerFactory(dealer=world.dealers["A1"])
    response = browser(world, "sales_consultant").post("/customers/leads/new/", {
        "customer": customer.pk, "source": "hotline"})
    assert response.status_code == 302 and Lead.objects.get().customer == customer


def test_moving_a_lead_forward(world):
    lead = LeadFactory(dealer=world.dealers["A1"])
    response = htmx(browser(world, "sales_consultant"), "post", f"/customers/leads/{lead.pk}/move/",
                    {"stage": "contacted"})
    assert response.status_code == 200 and 'id="board"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.stage == "contacted" and lead.first_contacted_at is not None
    assert LeadStageChange.objects.filter(lead=lead, to_stage="contacted").exists()


def test_an_impossible_move_shows_an_error(world):
    lead = LeadFactory(dealer=world.dealers["A1"])
    response = htmx(browser(world, "sales_consultant"), "post", f"/customers/leads/{lead.pk}/move/", {"stage": "won"})
    content = response.content.decode()
    assert response.status_code == 200 and 'class="errors banner"' in content
    lead.refresh_from_db()
    assert lead.stage == "new"


def test_losing_a_lead_needs_a_reason(world):
    lead = LeadFactory(dealer=world.dealers["A1"], stage="contacted")
    client = browser(world, "sales_consultant")
    response = htmx(client, "post", f"/customers/leads/{lead.pk}/move/", {"stage": "lost", "lost_reason": ""})
    assert 'class="errors banner"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.stage == "contacted"
    htmx(client, "post", f"/customers/leads/{lead.pk}/move/", {"stage": "lost", "lost_reason": "price"})
    lead.refresh_from_db()
    assert (lead.stage, lead.lost_reason) == ("lost", "price")


def test_move_without_htmx_redirects_back_with_a_message(world):
    lead = LeadFactory(dealer=world.dealers["A1"])
    client = browser(world, "sales_consultant")
    response = client.post(f"/customers/leads/{lead.pk}/move/", {"stage": "won", "next": "/customers/leads/"},
                           follow=True)
    assert response.redirect_chain[-1][0] == "/customers/leads/"
    assert 'class="error"' in response.content.decode()
    response = client.post(f"/customers/leads/{lead.pk}/move/", {"stage": "won", "next": "https://evil.example/"})
    assert response["Location"] == "/customers/leads/"


def test_another_dealers_lead_answers_404(world):
    lead = LeadFactory(dealer=world.dealers["A2"])
    client = browser(world, "dealer_manager")
    assert client.post(f"/customers/leads/{lead.pk}/move/", {"stage": "contacted"}).status_code == 404
    assert client.post(f"/customers/leads/{lead.pk}/assign/", {"user": 1}).status_code == 404


def test_manager_reassigns_and_consultants_may_not(world, second_consultant):
    lead = LeadFactory(dealer=world.dealers["A1"], assigned_to=world.principals["sales_consultant"].user)
    assert browser(world, "sales_consultant").post(f"/customers/leads/{lead.pk}/assign/",
                                                   {"user": second_consultant.pk}).status_code == 403
    response = htmx(browser(world, "dealer_manager"), "post", f"/customers/leads/{lead.pk}/assign/",
                    {"user": second_consultant.pk})
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.assigned_to == second_consultant


def test_reassign_to_someone_of_another_dealer_is_refused(world):
    lead = LeadFactory(dealer=world.dealers["A1"])
    stranger = User.objects.create_user("a2sales", tenant=world.tenants["A"], role=Role.SALES_CONSULTANT,
                                        dealer=world.dealers["A2"])
    response = htmx(browser(world, "dealer_manager"), "post", f"/customers/leads/{lead.pk}/assign/",
                    {"user": stranger.pk})
    assert 'class="errors banner"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.assigned_to_id is None


def test_my_leads_and_filters(world, second_consultant):
    me = world.principals["sales_consultant"].user
    a1 = world.dealers["A1"]
    LeadFactory(dealer=a1, assigned_to=me, customer=CustomerFactory(dealer=a1, name="我的客户"), source="web")
    LeadFactory(dealer=a1, assigned_to=second_consultant, customer=CustomerFactory(dealer=a1, name="别人的客户"))
    client = browser(world, "sales_consultant")
    mine = client.get("/customers/leads/mine/").content.decode()
    assert "我的客户" in mine and "别人的客户" not in mine
    board = client.get("/customers/leads/", {"assigned_to": second_consultant.pk}).content.decode()
    assert "别人的客户" in board and "我的客户" not in board
    board = client.get("/customers/leads/", {"source": "web"}).content.decode()
    assert "我的客户" in board and "别人的客户" not in board


def test_overdue_badge_for_new_leads_nobody_contacted_for_a_day(world):
    a1 = world.dealers["A1"]
    old = LeadFactory(dealer=a1, customer=CustomerFactory(dealer=a1, name="等太久"))
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=30))
    LeadFactory(dealer=a1, customer=CustomerFactory(dealer=a1, name="刚来的"))
    content = browser(world, "dealer_manager").get("/customers/leads/", {"overdue": "on"}).content.decode()
    assert "等太久" in content and "刚来的" not in content
    assert content.count('class="lead-card overdue"') == 1


def test_board_uses_a_constant_number_of_queries(world):
    client = browser(world, "dealer_manager")
    a1 = world.dealers["A1"]
    LeadFactory(dealer=a1)
    client.get("/customers/leads/")
    few = count_queries(client, "/customers/leads/")
    for n, stage in enumerate(["new", "contacted", "test_drive", "negotiation", "won", "lost"] * 6):
        LeadFactory(dealer=a1, stage=stage, lost_reason="price" if stage == "lost" else "",
                    assigned_to=world.principals["sales_consultant"].user if n % 2 else None)
    # session, user, consultants for the cards, column counts, cards, consultants for the filter
    assert count_queries(client, "/customers/leads/") == few <= 8  # incl. the RLS role
