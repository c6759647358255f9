"""Lead pages across dealers: the HQ and region pipeline, and leads the call center and HQ open for a store."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Lead
from dealers.choices import Role
from dealers.models import User
from tests.customers.factories import CustomerFactory, LeadFactory
from tests.helpers import browser, count_queries, htmx

# --- HQ and region: the pipeline across dealers ---------------------------------------------------------


@pytest.fixture
def a2_consultant(world):
    return User.objects.create_user("a2sales", tenant=world.tenants["A"], role=Role.SALES_CONSULTANT,
                                    dealer=world.dealers["A2"], full_name="沪店小李")


@pytest.fixture
def pipeline(world):
    """Leads of A1 and A2 in several stages, closed ones recent and old, one overdue; and one of tenant B."""
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    long_ago = timezone.now() - timedelta(days=45)
    made = {
        "a1_new": LeadFactory(dealer=a1, customer=CustomerFactory(dealer=a1, name="北京新客")),
        "a1_contacted": LeadFactory(dealer=a1, stage="contacted"),
        "a1_won": LeadFactory(dealer=a1, stage="won"),
        "a1_lost": LeadFactory(dealer=a1, stage="lost", lost_reason="price"),
        "a1_lost_2": LeadFactory(dealer=a1, stage="lost", lost_reason="price"),
        "a1_old_won": LeadFactory(dealer=a1, stage="won", stage_changed_at=long_ago),
        "a2_new": LeadFactory(dealer=a2, customer=CustomerFactory(dealer=a2, name="上海新客")),
        "a2_test_drive": LeadFactory(dealer=a2, stage="test_drive"),
        "b1": LeadFactory(dealer=world.dealers["B1"], customer=CustomerFactory(dealer=world.dealers["B1"],
                                                                              name="外租户客户")),
    }
    Lead.objects.filter(pk=made["a1_new"].pk).update(created_at=timezone.now() - timedelta(hours=30))
    return made


def cell_texts(content: str, dealer) -> list[str]:
    """The visible numbers of a dealer's row: open per stage, open, won, lost, conversion, overdue."""
    table = content[content.index('id="pipeline-title"'):]
    row = table[table.index(f'?dealer={dealer.pk}"'):]
    row = row[:row.index("</tr>")]
    cells = row.split("<td>")[1:]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def test_hq_board_shows_every_dealer_with_its_tag_and_the_per_dealer_table(world, pipeline):
    content = browser(world, "oem_admin").get("/customers/leads/").content.decode()
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    assert "北京新客" in content and "上海新客" in content and "外租户客户" not in content
    assert f'<span class="tag" title="{a2.name}">{a2.code}</span>' in content, "cards say their dealer"
    # new, contacted, test drive, negotiation, open, won (30 d), lost (30 d), conversion, overdue
    assert cell_texts(content, a1) == ["1", "1", "0", "0", "2", "1", "2", "33%", "1"]
    assert cell_texts(content, a2) == ["1", "0", "1", "0", "2", "0", "0", "—", "0"]
    assert world.dealers["B1"].name not in content


def test_the_per_dealer_table_explains_its_figures(world, pipeline):
    content = browser(world, "oem_analyst").get("/customers/leads/").content.decode()
    table = content[content.index('id="pipeline-title"'):content.index("</section>", content.index('id="pipeline-title"'))]
    assert table.count(' title="') >= 8, "every column header says how it is counted"
    assert "÷" in table


def test_hq_dealer_filter_narrows_board_and_table(world, pipeline):
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    content = browser(world, "oem_admin").get("/customers/leads/", {"dealer": a2.pk}).content.decode()
    assert "上海新客" in content and "北京新客" not in content
    assert f'?dealer={a2.pk}"' in content and f'?dealer={a1.pk}"' not in content
    content = browser(world, "oem_admin").get("/customers/leads/", {"dealer": world.dealers["B1"].pk}).content.decode()
    assert "外租户客户" not in content and 'class="errors"' in content, "another tenant's dealer is not a choice"


def test_region_board_holds_only_the_region(world, pipeline):
    content = browser(world, "region_manager").get("/customers/leads/").content.decode()
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    assert "北京新客" in content and "上海新客" not in content
    assert f'value="{a1.pk}"' in content and f'value="{a2.pk}"' not in content
    assert f'?dealer={a1.pk}"' in content and f'?dealer={a2.pk}"' not in content
    content = browser(world, "region_manager").get("/customers/leads/", {"dealer": a2.pk}).content.decode()
    assert "上海新客" not in content


def test_hq_consultant_filter_follows_the_chosen_dealer(world, pipeline, a2_consultant):
    a1_consultant = world.principals["sales_consultant"].user
    client = browser(world, "oem_admin")
    content = client.get("/customers/leads/").content.decode()
    select = content[content.index('name="assigned_to"'):]
    select = select[:select.index("</select>")]
    assert "disabled" in select and a1_consultant.username not in select and "沪店小李" not in select
    content = client.get("/customers/leads/", {"dealer": world.dealers["A2"].pk}).content.decode()
    select = content[content.index('name="assigned_to"'):]
    select = select[:select.index("</select>")]
    assert "沪店小李" in select and f'value="{a1_consultant.pk}"' not in select
    LeadFactory(dealer=world.dealers["A2"], assigned_to=a2_consultant,
                customer=CustomerFactory(dealer=world.dealers["A2"], name="小李的客户"))
    content = client.get("/customers/leads/", {"dealer": world.dealers["A2"].pk,
                                               "assigned_to": a2_consultant.pk}).content.decode()
    assert "小李的客户" in content and "上海新客" not in content
    content = client.get("/customers/leads/", {"dealer": world.dealers["A1"].pk,
                                               "assigned_to": a2_consultant.pk}).content.decode()
    assert "北京新客" in content and 'class="errors"' in content, "another dealer's consultant is dropped, said so"


@pytest.mark.parametrize("name", ["oem_analyst", "region_manager"])
def test_read_only_roles_see_no_buttons_and_get_403_on_post(world, pipeline, a2_consultant, name):
    client = browser(world, name)
    content = client.get("/customers/leads/").content.decode()
    assert "北京新客" in content
    assert "/move/" not in content and "/assign/" not in content and "/vehicles/sales/new/" not in content
    assert "/customers/leads/new/" not in content and "/customers/leads/mine/" not in content
    lead = pipeline["a1_new"]
    assert client.post(f"/customers/leads/{lead.pk}/move/", {"stage": "contacted"}).status_code == 403
    assert htmx(client, "post", f"/customers/leads/{lead.pk}/move/", {"stage": "contacted"}).status_code == 403
    user = world.principals["sales_consultant"].user
    assert client.post(f"/customers/leads/{lead.pk}/assign/", {"user": user.pk}).status_code == 403
    lead.refresh_from_db()
    assert lead.stage == "new" and lead.assigned_to_id is None


def test_hq_admin_moves_and_reassigns_within_the_leads_dealer(world, pipeline, a2_consultant):
    client = browser(world, "oem_admin")
    content = client.get("/customers/leads/").content.decode()
    lead = pipeline["a2_new"]
    card = content[content.index(f"/customers/leads/{lead.pk}/assign/"):]
    card = card[:card.index("</select>")]
    assert f'value="{a2_consultant.pk}"' in card
    assert f'value="{world.principals["sales_consultant"].user.pk}"' not in card, "only the lead's dealer's people"
    response = htmx(client, "post", f"/customers/leads/{lead.pk}/assign/", {"user": a2_consultant.pk})
    assert response.status_code == 200 and 'id="pipeline-title"' in response.content.decode()
    assert htmx(client, "post", f"/customers/leads/{lead.pk}/move/", {"stage": "contacted"}).status_code == 200
    lead.refresh_from_db()
    assert (lead.assigned_to, lead.stage) == (a2_consultant, "contacted")


def test_dealer_board_keeps_its_own_layout(world, pipeline):
    content = browser(world, "dealer_manager").get("/customers/leads/").content.decode()
    assert 'id="pipeline-title"' not in content and 'name="dealer"' not in content
    assert "上海新客" not in content
    # Only a consultant, who has leads of their own, switches between theirs and the store's.
    assert 'class="toggle"' not in content
    assert 'class="toggle"' in browser(world, "sales_consultant").get("/customers/leads/").content.decode()


def test_hq_board_uses_a_constant_number_of_queries(world, a2_consultant):
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    LeadFactory(dealer=a1)
    counts = {}
    for name in ("oem_admin", "oem_analyst", "region_manager"):
        client = browser(world, name)
        client.get("/customers/leads/")
        counts[name] = (count_queries(client, "/customers/leads/"),
                        count_queries(client, f"/customers/leads/?dealer={a1.pk}"))
    for n, stage in enumerate(["new", "contacted", "test_drive", "negotiation", "won", "lost"] * 5):
        dealer = a1 if n % 2 else a2
        LeadFactory(dealer=dealer, stage=stage, lost_reason="price" if stage == "lost" else "",
                    assigned_to=(world.principals["sales_consultant"].user if dealer == a1 else a2_consultant))
    for name, (few, few_filtered) in counts.items():
        client = browser(world, name)
        # session, user, RLS in, dealers, column counts, cards, per-dealer table, consultants of the cards' dealers
        # (assigners only), consultants of the chosen dealer (with a dealer filter), RLS out
        assert count_queries(client, "/customers/leads/") == few <= 9, name
        assert count_queries(client, f"/customers/leads/?dealer={a1.pk}") == few_filtered <= 10, name


# --- a lead opened by HQ or the call center for the store the caller names ---------------------------------


def test_dealer_staff_keep_the_form_without_a_dealer_choice(world):
    content = browser(world, "sales_consultant").get("/customers/leads/new/").content.decode()
    assert 'name="dealer"' not in content and 'name="assigned_to"' in content


@pytest.mark.parametrize("name", ["oem_admin", "cc_supervisor", "cc_agent"])
def test_tenant_wide_roles_choose_among_the_active_dealers_of_the_tenant(world, name):
    closed = world.dealers["A2"].__class__.objects.create(tenant=world.tenants["A"], region=world.regions["A1"],
                                                         code="A-CLOSED", name="已关店", is_active=False)
    content = browser(world, name).get("/customers/leads/new/").content.decode()
    select = content[content.index('name="dealer"'):]
    select = select[:select.index("</select>")]
    assert f'value="{world.dealers["A1"].pk}"' in select and f'value="{world.dealers["A2"].pk}"' in select
    assert f'value="{closed.pk}"' not in select and f'value="{world.dealers["B1"].pk}"' not in select
    assert 'hx-get="/customers/leads/new/"' in select and 'hx-target="#id_assigned_to"' in select


def test_the_consultant_list_follows_the_chosen_dealer(world, a2_consultant):
    client = browser(world, "cc_agent")
    a1_consultant = world.principals["sales_consultant"].user
    response = htmx(client, "get", "/customers/leads/new/", {"dealer": world.dealers["A2"].pk})
    fragment = response.content.decode()
    assert response.status_code == 200 and fragment.startswith("<select") and 'id="id_assigned_to"' in fragment
    assert f'value="{a2_consultant.pk}"' in fragment and f'value="{a1_consultant.pk}"' not in fragment
    fragment = htmx(client, "get", "/customers/leads/new/", {"dealer": world.dealers["B1"].pk}).content.decode()
    assert "<option" in fragment and 'value="' + str(a2_consultant.pk) + '"' not in fragment
    assert world.principals["sales_consultant"].user.username not in fragment


def hotline_lead(**extra) -> dict:
    return {"customer": "", "name": "热线客户", "mobile": "13855556666", "source": "hotline", "referred_by": "",
            "assigned_to": "", **extra}


def test_agent_opens_a_lead_for_the_named_store_balanced_among_its_consultants(world, a2_consultant):
    busy = User.objects.create_user("a2busy", tenant=world.tenants["A"], role=Role.SALES_CONSULTANT,
                                    dealer=world.dealers["A2"], full_name="忙碌的")
    LeadFactory(dealer=world.dealers["A2"], assigned_to=busy)
    client = browser(world, "cc_agent")
    response = client.post("/customers/leads/new/", hotline_lead(dealer=world.dealers["A2"].pk))
    assert response.status_code == 302, response.content.decode()
    lead = Lead.objects.get(customer__name="热线客户")
    assert (lead.dealer, lead.assigned_to, lead.source) == (world.dealers["A2"], a2_consultant, "hotline")
    assert response["Location"] == f"/customers/{lead.customer_id}/", "the call center has no board to go back to"
    content = client.get(response["Location"]).content.decode()
    assert f"{world.dealers['A2'].name}" in content and "沪店小李" in content, "the message names store and consultant"


def test_hq_lead_with_a_chosen_consultant_goes_back_to_the_board(world, a2_consultant):
    response = browser(world, "oem_admin").post("/customers/leads/new/", hotline_lead(
        dealer=world.dealers["A2"].pk, assigned_to=a2_consultant.pk))
    assert response.status_code == 302 and response["Location"] == "/customers/leads/"
    assert Lead.objects.get().assigned_to == a2_consultant


def test_a_tenant_wide_lead_needs_a_dealer_and_a_consultant_of_that_dealer(world, a2_consultant):
    client = browser(world, "cc_supervisor")
    response = client.post("/customers/leads/new/", hotline_lead())
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    a1_consultant = world.principals["sales_consultant"].user
    response = client.post("/customers/leads/new/", hotline_lead(dealer=world.dealers["A2"].pk,
                                                                assigned_to=a1_consultant.pk))
    content = response.content.decode()
    assert response.status_code == 200 and "errorlist" in content and 'value="热线客户"' in content
    response = client.post("/customers/leads/new/", hotline_lead(dealer=world.dealers["B1"].pk))
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Lead.objects.exists()


def test_a_hotline_lead_for_a_known_customer_links_them_to_the_store(world):
    customer = CustomerFactory(dealer=world.dealers["A1"], name="老车主")
    response = browser(world, "cc_agent").post("/customers/leads/new/", {
        "customer": customer.pk, "source": "hotline", "dealer": world.dealers["A2"].pk})
    assert response.status_code == 302, response.content.decode()
    lead = Lead.objects.get()
    assert lead.customer == customer and lead.dealer == world.dealers["A2"]
    content = browser(world, "oem_admin").get("/customers/leads/", {"dealer": world.dealers["A2"].pk}).content.decode()
    assert "老车主" in content


def test_the_board_offers_no_won_button_only_the_record_the_sale_link(world):
    lead = LeadFactory(dealer=world.dealers["A1"], stage="negotiation")
    content = browser(world, "sales_consultant").get("/customers/leads/").content.decode()
    assert 'name="stage" value="won"' not in content
    assert f"/vehicles/sales/new/?lead={lead.pk}" in content
    response = htmx(browser(world, "sales_consultant"), "post", f"/customers/leads/{lead.pk}/move/", {"stage": "won"})
    assert 'class="errors banner"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.stage == "negotiation"
