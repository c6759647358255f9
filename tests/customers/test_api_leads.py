"""Leads through the API: creation with balanced assignment, moves through the funnel, reassignment, filters."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from customers.models import CustomerDealer, Lead, LeadStageChange
from dealers.choices import Role
from tests.customers.factories import CustomerFactory, LeadFactory
from tests.dealers.factories import UserFactory


def new_lead(api, name="sales_consultant", **body):
    payload = {"source": "walk_in", "customer_data": {"name": "潜客", "mobile": "13700000001"}} | body
    response = api(name).post("/api/v1/leads/", payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def move(api, lead_id, name="sales_consultant", **body):
    return api(name).post(f"/api/v1/leads/{lead_id}/move/", body, format="json")


def test_a_lead_moves_only_along_the_funnel(api):
    lead = new_lead(api)
    assert lead["stage"] == "new"
    response = move(api, lead["id"], stage="won")
    assert response.status_code == 400 and "stage" in response.json()
    assert move(api, lead["id"], stage="contacted", note="首次电话").json()["stage"] == "contacted"
    assert move(api, lead["id"], stage="test_drive").status_code == 200
    assert move(api, lead["id"], stage="bogus").status_code == 400
    assert list(LeadStageChange.objects.filter(lead_id=lead["id"]).values_list("to_stage", flat=True)
                .order_by("id")) == ["new", "contacted", "test_drive"]


def test_losing_a_lead_needs_a_reason(api):
    lead = new_lead(api)
    response = move(api, lead["id"], stage="lost")
    assert response.status_code == 400 and "lost_reason" in response.json()
    response = move(api, lead["id"], stage="lost", lost_reason="price")
    assert response.status_code == 200
    assert response.json()["stage"] == "lost" and response.json()["lost_reason"] == "price"
    reopened = move(api, lead["id"], stage="contacted").json()
    assert reopened["stage"] == "contacted" and reopened["lost_reason"] == ""


def test_readers_cannot_move_leads(api):
    lead = new_lead(api)
    assert move(api, lead["id"], "oem_analyst", stage="contacted").status_code == 403
    assert move(api, lead["id"], "service_advisor", stage="contacted").status_code == 403


def test_new_leads_are_balanced_over_the_consultants(api, world, a1):
    second = UserFactory(dealer=a1, tenant=a1.tenant, role=Role.SALES_CONSULTANT)
    first = world.principals["sales_consultant"].user
    for n in range(5):
        new_lead(api, "dealer_manager", customer_data={"name": f"客户{n}", "mobile": f"1370000000{n}"})
    counts = {user.pk: Lead.objects.filter(assigned_to=user).count() for user in (first, second)}
    assert sorted(counts.values()) == [2, 3]


def test_a_consultant_with_more_open_leads_gets_fewer(api, world, a1):
    busy = world.principals["sales_consultant"].user
    idle = UserFactory(dealer=a1, tenant=a1.tenant, role=Role.SALES_CONSULTANT)
    for _ in range(3):
        LeadFactory(dealer=a1, assigned_to=busy)
    LeadFactory(dealer=a1, assigned_to=busy, stage="won")  # closed leads do not count
    for n in range(5):
        new_lead(api, "dealer_manager", customer_data={"name": f"客户{n}", "mobile": f"1370000001{n}"})
    assert Lead.objects.filter(assigned_to=idle).count() == 4
    assert Lead.objects.filter(assigned_to=busy, stage="new").count() == 3 + 1


def test_only_managers_reassign_and_only_to_consultants_of_the_dealer(api, world, a1):
    lead = new_lead(api)
    other = UserFactory(dealer=a1, tenant=a1.tenant, role=Role.SALES_CONSULTANT)
    url = f"/api/v1/leads/{lead['id']}/assign/"
    assert api("sales_consultant").post(url, {"user": other.pk}, format="json").status_code == 403
    assert api("client_dealer_write").post(url, {"user": other.pk}, format="json").status_code == 403
    advisor = world.principals["service_advisor"].user
    response = api("dealer_manager").post(url, {"user": advisor.pk}, format="json")
    assert response.status_code == 400 and "user" in response.json()
    elsewhere = UserFactory(dealer=world.dealers["A2"], tenant=a1.tenant, role=Role.SALES_CONSULTANT)
    response = api("oem_admin").post(url, {"user": elsewhere.pk}, format="json")
    assert response.status_code == 400 and "user" in response.json()
    response = api("dealer_manager").post(url, {"user": other.pk}, format="json")
    assert response.status_code == 200 and response.json()["assigned_to"] == other.pk
    # the same through PATCH: a consultant may not, a manager may
    patch = {"assigned_to": world.principals["sales_consultant"].user.pk}
    assert api("sales_consultant").patch(f"/api/v1/leads/{lead['id']}/", patch, format="json").status_code == 403
    assert api("dealer_manager").patch(f"/api/v1/leads/{lead['id']}/", patch, format="json").status_code == 200


def test_hotline_lead_for_a_dealer_links_its_customer_there(api, world):
    customer = CustomerFactory(dealer=world.dealers["A2"])
    response = api("cc_agent").post("/api/v1/leads/", {"dealer": world.dealers["A1"].pk, "source": "hotline",
                                                       "customer": customer.pk}, format="json")
    assert response.status_code == 201, response.content
    assert CustomerDealer.objects.filter(customer=customer, dealer=world.dealers["A1"]).exists()
    assert api("sales_consultant").get(f"/api/v1/customers/{customer.pk}/").status_code == 200


def test_a_lead_needs_a_customer_and_a_referral_its_referrer(api):
    response = api("sales_consultant").post("/api/v1/leads/", {"source": "walk_in"}, format="json")
    assert response.status_code == 400 and "customer" in response.json()
    response = api("sales_consultant").post("/api/v1/leads/", {
        "source": "referral", "customer_data": {"name": "新人", "mobile": "13700000009"}}, format="json")
    assert response.status_code == 400 and "referred_by" in response.json()


def test_duplicate_external_id_is_a_field_error(api):
    new_lead(api, external_id="L-1")
    response = api("sales_consultant").post("/api/v1/leads/", {
        "source": "dms", "external_id": "L-1", "customer_data": {"name": "另一位", "mobile": "13700000002"}},
        format="json")
    assert response.status_code == 400 and "external_id" in response.json()


def test_mine_and_overdue_filters(api, world, a1):
    me = world.principals["sales_consultant"].user
    other = UserFactory(dealer=a1, tenant=a1.tenant, role=Role.SALES_CONSULTANT)
    mine = LeadFactory(dealer=a1, assigned_to=me)
    late = LeadFactory(dealer=a1, assigned_to=other, next_action_on=timezone.localdate() - timedelta(days=1))
    stale = LeadFactory(dealer=a1, assigned_to=other)
    Lead.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=2))
    ids = {row["id"] for row in api("sales_consultant").get("/api/v1/leads/", {"mine": "true"}).json()["results"]}
    assert ids == {mine.pk}
    ids = {row["id"] for row in api("dealer_manager").get("/api/v1/leads/", {"overdue": "true"}).json()["results"]}
    assert ids == {late.pk, stale.pk}
    ids = {row["id"] for row in api("dealer_manager").get("/api/v1/leads/", {"stage": "new",
                                                                             "assigned_to": other.pk}).json()["results"]}
    assert ids == {late.pk, stale.pk}


def test_customer_mobile_on_a_lead_is_masked_for_hq(api, a1):
    lead = LeadFactory(dealer=a1, customer__mobile="+8613812345678")
    row = api("oem_analyst").get(f"/api/v1/leads/{lead.pk}/").json()
    assert row["customer_mobile"] == "138****5678" and row["customer_name"] == lead.customer.name
    assert api("sales_consultant").get(f"/api/v1/leads/{lead.pk}/").json()["customer_mobile"] == "+8613812345678"


def test_moving_a_lead_to_won_answers_a_field_error_saying_to_record_the_sale(api):
    lead = new_lead(api)
    move(api, lead["id"], stage="contacted")
    move(api, lead["id"], stage="negotiation")
    response = api("sales_consultant").post(f"/api/v1/leads/{lead['id']}/move/", {"stage": "won"}, format="json",
                                            headers={"accept-language": "en"})
    assert response.status_code == 400
    assert "record the sale" in response.json()["stage"][0]
    assert Lead.objects.get(pk=lead["id"]).stage == "negotiation"
