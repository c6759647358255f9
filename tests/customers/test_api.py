"""Customers through the API: upsert, masking, look-up, reveal, timeline, do-not-call, consents, merge."""

from __future__ import annotations

from datetime import date

from crm_site.models import AuditEvent
from customers.models import ConsentRecord, Customer, CustomerDealer, DoNotCallChange
from tests.customers.factories import CustomerFactory, LeadFactory
from tests.vehicles.factories import ServiceVisitFactory, make_vin
from vehicles.services import sale_record

MOBILE = "13812345678"
ID_NUMBER = "11010519491231002X"


def test_posting_a_known_mobile_updates_the_customer_and_answers_200(api, a1):
    first = api("sales_consultant").post("/api/v1/customers/", {"name": "王小明", "mobile": MOBILE}, format="json")
    assert first.status_code == 201, first.content
    again = api("service_advisor").post("/api/v1/customers/", {"name": "王小明", "mobile": "138 1234 5678",
                                                                 "city": "北京"}, format="json")
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"] and again.json()["city"] == "北京"
    assert Customer.objects.count() == 1
    assert first.json()["dealers"] == [a1.pk]


def test_dealer_comes_from_a_one_dealer_scope_and_tenant_wide_callers_must_name_it(api, a1):
    response = api("oem_admin").post("/api/v1/customers/", {"name": "李雷", "mobile": MOBILE}, format="json")
    assert response.status_code == 400 and "dealer" in response.json()
    response = api("client_dealer_write").post("/api/v1/customers/", {"name": "李雷", "mobile": MOBILE},
                                               format="json")
    assert response.status_code == 201
    assert CustomerDealer.objects.get(customer_id=response.json()["id"]).dealer_id == a1.pk


def test_same_person_through_two_endpoints_is_one_customer(api, world):
    api("sales_consultant").post("/api/v1/customers/", {"name": "韩梅梅", "mobile": MOBILE}, format="json")
    sale = api("sales_consultant").post("/api/v1/sales/", {
        "customer_data": {"name": "韩梅梅", "mobile": "+86 138-1234-5678"}, "vehicle_data": {"vin": make_vin(1)},
        "delivered_on": "2025-05-01",
    }, format="json")
    assert sale.status_code == 201, sale.content
    lead = api("cc_agent").post("/api/v1/leads/", {
        "dealer": world.dealers["A2"].pk, "source": "hotline", "customer_data": {"name": "韩梅梅", "mobile": MOBILE},
    }, format="json")
    assert lead.status_code == 201, lead.content
    assert Customer.objects.count() == 1
    customer = Customer.objects.get()
    assert sale.json()["customer"] == lead.json()["customer"] == customer.pk
    assert set(customer.dealer_links.values_list("dealer_id", flat=True)) == {world.dealers["A1"].pk,
                                                                              world.dealers["A2"].pk}


def test_mobile_is_masked_for_hq_and_regional_roles_and_id_number_always(api, a1):
    created = api("sales_consultant").post("/api/v1/customers/", {"name": "王小明", "mobile": MOBILE,
                                                                  "id_number": ID_NUMBER}, format="json").json()
    assert "id_number" not in created and created["id_number_masked"] == "110105********002X"
    url = f"/api/v1/customers/{created['id']}/"
    for name in ("oem_admin", "oem_analyst", "region_manager"):
        assert api(name).get(url).json()["mobile"] == "138****5678", name
    for name in ("dealer_manager", "cc_agent", "client_dealer_read"):
        assert api(name).get(url).json()["mobile"] == "+8613812345678", name
    listed = api("oem_analyst").get("/api/v1/customers/").json()["results"]
    assert [row["mobile"] for row in listed] == ["138****5678"]


def test_listing_customers_is_an_audited_bulk_read(api, a1):
    customer = CustomerFactory(dealer=a1)
    api("oem_analyst").get("/api/v1/customers/")
    event = AuditEvent.objects.get(action="customer.list")
    assert event.detail["ids"] == [customer.pk] and event.actor_user.username == "oem_analyst"


def test_external_id_is_the_callers_dealers(api, a1):
    body = {"name": "赵六", "mobile": MOBILE, "external_id": "DMS-C-1"}
    created = api("client_dealer_write").post("/api/v1/customers/", body, format="json").json()
    assert created["external_id"] == "DMS-C-1"
    assert api("oem_admin").get(f"/api/v1/customers/{created['id']}/").json()["external_id"] is None
    # the DMS's own id finds the same customer again, even without the mobile
    again = api("client_dealer_write").post("/api/v1/customers/", {"external_id": "DMS-C-1", "city": "天津"},
                                            format="json")
    assert again.status_code == 200 and again.json()["id"] == created["id"]


def test_lookup_answers_masked_and_does_not_link(api, world):
    other = CustomerFactory(dealer=world.dealers["A2"], name="欧阳娜娜", mobile="+8613600001111")
    response = api("service_advisor").get("/api/v1/customers/lookup/", {"mobile": "136 0000 1111"})
    assert response.status_code == 200
    assert response.json() == {"id": other.pk, "name": "欧***", "mobile": "136****1111", "linked": False}
    assert not CustomerDealer.objects.filter(customer=other, dealer=world.dealers["A1"]).exists()
    assert api("service_advisor").get(f"/api/v1/customers/{other.pk}/").status_code == 404
    assert api("service_advisor").get("/api/v1/customers/lookup/", {"mobile": "13600002222"}).status_code == 404
    assert api("service_advisor").get("/api/v1/customers/lookup/", {"mobile": "abc"}).status_code == 400
    assert AuditEvent.objects.filter(action="customer.lookup", object_id=str(other.pk)).exists()


def test_lookup_never_crosses_tenants(api, world):
    CustomerFactory(dealer=world.dealers["B1"], mobile="+8613600001111")
    assert api("oem_admin").get("/api/v1/customers/lookup/", {"mobile": "13600001111"}).status_code == 404


def test_reveal_shows_the_number_and_writes_an_audit_row(api, a1):
    customer = api("sales_consultant").post("/api/v1/customers/", {"name": "王小明", "mobile": MOBILE,
                                                                   "id_number": ID_NUMBER}, format="json").json()
    url = f"/api/v1/customers/{customer['id']}/reveal/"
    # Analysts work on aggregates and may not reveal (customers.access.NUMBER_REVEAL), at any door.
    assert api("oem_analyst").post(url, {"field": "id_number"}, format="json").status_code == 403
    response = api("region_manager").post(url, {"field": "id_number"}, format="json")
    assert response.status_code == 200 and response.json() == {"field": "id_number", "value": ID_NUMBER}
    assert api("client_dealer_read").post(url, {"field": "mobile"}, format="json").json()["value"] == "+8613812345678"
    actions = list(AuditEvent.objects.filter(object_id=str(customer["id"]), action__startswith="customer.reveal")
                   .values_list("action", flat=True).order_by("id"))
    assert actions == ["customer.reveal.id_number", "customer.reveal.mobile"]
    assert api("oem_admin").post(url, {"field": "name"}, format="json").status_code == 400


def test_reveal_of_another_dealers_customer_answers_404(api, world):
    other = CustomerFactory(dealer=world.dealers["A2"])
    response = api("sales_consultant").post(f"/api/v1/customers/{other.pk}/reveal/", {"field": "mobile"},
                                            format="json")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="customer.reveal").exists()


def test_timeline_lists_events_newest_first(api, a1, world):
    customer = CustomerFactory(dealer=a1)
    scope = world.principals["oem_admin"].scope
    sale_record(scope=scope, dealer_id=a1.pk, customer=customer, customer_data={}, vehicle_data={"vin": make_vin(7)},
                delivered_on=date(2024, 1, 10))
    visit = ServiceVisitFactory(dealer=a1, vehicle__owner=customer, customer=customer,
                                opened_at="2025-03-01T10:00:00+08:00")
    LeadFactory(dealer=a1, customer=customer)
    response = api("dealer_manager").get(f"/api/v1/customers/{customer.pk}/timeline/")
    assert response.status_code == 200
    events = response.json()
    assert [e["kind"] for e in events] == ["lead", "service_visit", "sale"]
    assert events[1]["object_id"] == visit.pk and events[1]["dealer"] == a1.pk
    assert [e["at"] for e in events] == sorted((e["at"] for e in events), reverse=True)


def test_do_not_call_changes_keep_their_history(api, a1):
    customer = CustomerFactory(dealer=a1)
    url = f"/api/v1/customers/{customer.pk}/"
    response = api("service_advisor").patch(url, {"do_not_call": True, "do_not_call_reason": "客户要求"},
                                            format="json")
    assert response.status_code == 200 and response.json()["do_not_call"] is True
    api("service_advisor").patch(url, {"do_not_call": True}, format="json")
    api("service_advisor").patch(url, {"do_not_call": False}, format="json")
    history = list(DoNotCallChange.objects.filter(customer=customer).order_by("id").values_list("do_not_call", "reason"))
    assert history == [(True, "客户要求"), (False, "")]


def test_update_refuses_a_mobile_of_another_customer(api, a1):
    CustomerFactory(dealer=a1, mobile="+8613812345678")
    customer = CustomerFactory(dealer=a1)
    response = api("dealer_manager").patch(f"/api/v1/customers/{customer.pk}/", {"mobile": MOBILE}, format="json")
    assert response.status_code == 400 and "mobile" in response.json()
    response = api("dealer_manager").patch(f"/api/v1/customers/{customer.pk}/", {"mobile": "12"}, format="json")
    assert response.status_code == 400 and "mobile" in response.json()


def test_consents_are_recorded_and_the_newest_is_in_force(api, a1):
    customer = CustomerFactory(dealer=a1)
    url = f"/api/v1/customers/{customer.pk}/consents/"
    body = {"channel": "phone", "purpose": "survey", "granted": True, "source": "call", "text_version": "v1"}
    assert api("cc_agent").post(url, body, format="json").status_code == 201
    assert api("cc_agent").post(url, body | {"granted": False}, format="json").status_code == 201
    current = api("oem_analyst").get(url).json()
    assert [(c["channel"], c["purpose"], c["granted"]) for c in current] == [("phone", "survey", False)]
    assert len(api("oem_analyst").get(url, {"history": "true"}).json()) == 2
    assert api("oem_analyst").post(url, body, format="json").status_code == 403
    assert ConsentRecord.objects.count() == 2


def test_merge_is_for_managers_and_moves_the_duplicate(api, a1, world):
    survivor = CustomerFactory(dealer=a1)
    duplicate = CustomerFactory(dealer=a1, mobile="")
    LeadFactory(dealer=a1, customer=duplicate)
    url = f"/api/v1/customers/{survivor.pk}/merge/"
    assert api("sales_consultant").post(url, {"duplicate": duplicate.pk}, format="json").status_code == 403
    assert api("client_dealer_write").post(url, {"duplicate": duplicate.pk}, format="json").status_code == 403
    hidden = CustomerFactory(dealer=world.dealers["A2"])
    response = api("dealer_manager").post(url, {"duplicate": hidden.pk}, format="json")
    assert response.status_code == 400 and "duplicate" in response.json()
    response = api("dealer_manager").post(url, {"duplicate": duplicate.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["moved"]["leads"] == 1
    assert api("dealer_manager").get(f"/api/v1/customers/{duplicate.pk}/").status_code == 404
    response = api("dealer_manager").post(url, {"duplicate": survivor.pk}, format="json")
    assert response.status_code == 400 and "duplicate" in response.json()
